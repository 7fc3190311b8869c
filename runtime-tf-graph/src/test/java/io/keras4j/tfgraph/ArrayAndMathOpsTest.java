package io.keras4j.tfgraph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.NodeDef;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Kernels against definitions computed here with plain loops. */
class ArrayAndMathOpsTest {
    private static Val run(NodeDef def, Val... in) {
        Op op = OpTable.standard().get(def.getOp());
        return op.run(new Node(def, "test"), in, null)[0];
    }

    private static NodeDef node(String op, Object... attrs) {
        NodeDef.Builder b = NodeDef.newBuilder().setName("n").setOp(op);
        for (int k = 0; k < attrs.length; k += 2) {
            Object v = attrs[k + 1];
            AttrValue a = v instanceof Integer i ? AttrValue.newBuilder().setI(i).build()
                    : v instanceof Boolean bo ? AttrValue.newBuilder().setB(bo).build()
                    : AttrValue.newBuilder().setS(com.google.protobuf.ByteString.copyFromUtf8((String) v)).build();
            b.putAttr((String) attrs[k], a);
        }
        return b.build();
    }

    private static Val iota(int... shape) {
        float[] v = new float[Shapes.size(shape)];
        for (int k = 0; k < v.length; k++) v[k] = k;
        return Val.floats(v, shape);
    }

    private static Val ints(int... v) { return Val.ints(v, v.length); }

    @Test
    void stridedSliceFollowsNumpyIndexingWithEveryMask() {
        Val x = iota(3, 4, 5);
        // x[1:, ::2, -1]: begin [1,0,-1], end [0,0,0], strides [1,2,1], end_mask 0b011, shrink 0b100.
        Val y = run(node("StridedSlice", "end_mask", 3, "shrink_axis_mask", 4), x, ints(1, 0, -1), ints(0, 0, 0), ints(1, 2, 1));
        assertThat(y.shape).containsExactly(2, 2);
        float[] want = new float[4];
        int k = 0;
        for (int i = 1; i < 3; i++) for (int j = 0; j < 4; j += 2) want[k++] = i * 20 + j * 5 + 4;
        assertThat(y.f()).containsExactly(want);
        // x[..., None, ::-2]: ellipsis bit 0, new axis bit 1, reverse step on the last axis.
        Val z = run(node("StridedSlice", "ellipsis_mask", 1, "new_axis_mask", 2, "begin_mask", 4, "end_mask", 4),
                x, ints(0, 0, 0), ints(0, 0, 0), ints(1, 1, -2));
        assertThat(z.shape).containsExactly(3, 4, 1, 3);
        assertThat(z.f()[0]).isEqualTo(4);
        assertThat(z.f()[1]).isEqualTo(2);
        assertThat(z.f()[2]).isEqualTo(0);
        assertThat(z.f()[3]).isEqualTo(9);
    }

    @Test
    void broadcastingMatchesAnExplicitLoop() {
        Val a = iota(2, 1, 3), b = iota(4, 1);
        Val c = MathOps.binary("Sub", a, b);
        assertThat(c.shape).containsExactly(2, 4, 3);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 3; k++) {
            assertThat(c.f()[(i * 4 + j) * 3 + k]).isEqualTo(a.f()[i * 3 + k] - b.f()[j]);
        }
        assertThatThrownBy(() -> MathOps.binary("AddV2", iota(2, 3), iota(4))).hasMessageContaining("do not broadcast");
    }

    @Test
    void einsumEqualsItsSumOverIndices() {
        Random r = new Random(7);
        float[] av = new float[2 * 3 * 4], bv = new float[4 * 3 * 5];
        for (int k = 0; k < av.length; k++) av[k] = r.nextFloat();
        for (int k = 0; k < bv.length; k++) bv[k] = r.nextFloat();
        Val a = Val.floats(av, 2, 3, 4), b = Val.floats(bv, 4, 3, 5);
        // Batch b? no: letters j (both + output) is batch, k contracted, i and l free.
        Val c = MathOps.einsum("ijk,kjl->jil", a, b);
        assertThat(c.shape).containsExactly(3, 2, 5);
        for (int j = 0; j < 3; j++) for (int i = 0; i < 2; i++) for (int l = 0; l < 5; l++) {
            double s = 0;
            for (int k = 0; k < 4; k++) s += av[(i * 3 + j) * 4 + k] * bv[(k * 3 + j) * 5 + l];
            assertThat((double) c.f()[(j * 2 + i) * 5 + l]).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-5));
        }
        Val e = MathOps.einsum("...k,kl->...l", Val.floats(av, 2, 3, 4), Val.floats(java.util.Arrays.copyOf(bv, 20), 4, 5));
        assertThat(e.shape).containsExactly(2, 3, 5);
    }

    @Test
    void reductionsKeepOrDropAxes() {
        Val x = iota(2, 3, 4);
        Val s = run(node("Sum", "keep_dims", true), x, ints(0, 2));
        assertThat(s.shape).containsExactly(1, 3, 1);
        for (int j = 0; j < 3; j++) {
            float want = 0;
            for (int i = 0; i < 2; i++) for (int k = 0; k < 4; k++) want += (i * 3 + j) * 4 + k;
            assertThat(s.f()[j]).isEqualTo(want);
        }
        Val m = run(node("Max"), x, ints(-1));
        assertThat(m.shape).containsExactly(2, 3);
        assertThat(m.f()).containsExactly(3, 7, 11, 15, 19, 23);
    }

    @Test
    void transposeConcatSplitAndPadAgreeWithIndexArithmetic() {
        Val x = iota(2, 3);
        Val t = ArrayOps.transpose(x, new int[] {1, 0});
        assertThat(t.f()).containsExactly(0, 3, 1, 4, 2, 5);
        Val c = ArrayOps.concat(new Val[] {x, x}, 1);
        assertThat(c.shape).containsExactly(2, 6);
        assertThat(c.f()).containsExactly(0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5);
        Val[] parts = ArrayOps.split(c, 1, new int[] {4, 2});
        assertThat(parts[1].f()).containsExactly(1, 2, 4, 5);
        Val p = run(node("MirrorPad", "mode", "REFLECT"), iota(3), ints(2, 1));
        assertThat(p.f()).containsExactly(2, 1, 0, 1, 2, 1);
        Val q = run(node("Pad"), iota(2), ints(1, 2));
        assertThat(q.f()).containsExactly(0, 0, 1, 0, 0);
    }

    @Test
    void reshapeInfersOneDimensionAndRefusesImpossibleOnes() {
        Val x = iota(2, 6);
        assertThat(run(node("Reshape"), x, ints(3, -1)).shape).containsExactly(3, 4);
        assertThatThrownBy(() -> run(node("Reshape"), x, ints(5, -1))).hasMessageContaining("Reshape");
        assertThatThrownBy(() -> run(node("Reshape"), x, ints(-1, -1))).hasMessageContaining("two -1");
    }
}
