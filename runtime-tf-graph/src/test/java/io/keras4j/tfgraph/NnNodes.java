package io.keras4j.tfgraph;

import com.google.protobuf.ByteString;
import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.NodeDef;
import java.util.Arrays;
import java.util.Random;

/** Builds nodes and values for the kernel tests of the nn and image ops, and runs one kernel. */
final class NnNodes {
    private NnNodes() {}

    /** A node of {@code op} with attributes given as name, value pairs (String, int[], Boolean, Float, Integer). */
    static Node node(String op, Object... attrs) {
        NodeDef.Builder b = NodeDef.newBuilder().setName("test").setOp(op);
        for (int k = 0; k < attrs.length; k += 2) {
            String name = (String) attrs[k];
            Object v = attrs[k + 1];
            AttrValue.Builder a = AttrValue.newBuilder();
            if (v instanceof String s) a.setS(ByteString.copyFromUtf8(s));
            else if (v instanceof int[] list) a.setList(AttrValue.ListValue.newBuilder().addAllI(Arrays.stream(list).asLongStream().boxed().toList()));
            else if (v instanceof Boolean bool) a.setB(bool);
            else if (v instanceof Float f) a.setF(f);
            else if (v instanceof Integer i) a.setI(i);
            else throw new IllegalArgumentException(String.valueOf(v));
            b.putAttr(name, a.build());
        }
        return new Node(b.build(), "a test");
    }

    static Val[] runAll(Node node, Val... in) {
        Op op = OpTable.standard().get(node.op);
        if (op == null) throw new AssertionError("no kernel for " + node.op);
        return op.run(node, in, null);
    }

    static Val run(Node node, Val... in) { return runAll(node, in)[0]; }

    static Val random(long seed, int... shape) {
        Random r = new Random(seed);
        float[] v = new float[Shapes.size(shape)];
        for (int k = 0; k < v.length; k++) v[k] = (float) (r.nextGaussian());
        return Val.floats(v, shape);
    }

    static Val ints(int... v) { return Val.ints(v, v.length); }

    /** Element at the given coordinates of a row-major float value. */
    static float at(Val v, int... coord) {
        int flat = 0;
        for (int d = 0; d < coord.length; d++) flat = flat * v.shape[d] + coord[d];
        return v.f()[flat];
    }

    /** Element at the coordinates, or 0 outside the value (zero padding by definition). */
    static float atOrZero(Val v, int... coord) {
        for (int d = 0; d < coord.length; d++) if (coord[d] < 0 || coord[d] >= v.shape[d]) return 0;
        return at(v, coord);
    }

    /** TF's documented SAME padding before the first element: half of the total, rounded down. */
    static int samePadBefore(int in, int kernel, int stride, int dilation) {
        int out = (in + stride - 1) / stride;
        int effective = (kernel - 1) * dilation + 1;
        return Math.max(0, (out - 1) * stride + effective - in) / 2;
    }
}
