package io.keras4j.tfgraph;

import io.keras4j.runtime.math.FarmHash;
import io.keras4j.tf.proto.AttrValue;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The preprocessing kernels against naive definitions; TensorFlow itself is GraphMiscOpsTest's (it-tests). */
class MiscOpsTest {
    @Test
    void bucketizeCountsTheBoundariesNotAboveEachValueAsUpperBoundDoes() {
        float[] x = {-2f, -1f, 0f, 0.25f, 0.5f, 3f, Float.NaN};
        List<Float> boundaries = List.of(-1f, 0f, 0.5f, 0.5f);
        int[] got = MiscOps.bucketize(Val.floats(x, x.length), boundaries).i();
        for (int k = 0; k < x.length; k++) {
            int below = 0;
            // upper_bound's test is !(x < b): NaN, never below a boundary, lands past the last.
            for (float b : boundaries) if (!(x[k] < b)) below++;
            assertThat(got[k]).as("bucket of %s", x[k]).isEqualTo(below);
        }
        assertThatThrownBy(() -> MiscOps.bucketize(Val.floats(x, x.length), List.of(1f, 0f)))
                .isInstanceOf(GraphException.class).hasMessageContaining("sorted");
    }

    @Test
    void denseBincountCountsWeighsAndMarksPerRowAndDropsValuesAtOrAboveSize() {
        int[] ids = {0, 3, 3, 9, 1, 1, 1, 2};
        float[] w = {0.5f, 1f, 2f, 4f, 8f, 16f, 32f, 64f};
        Val x = Val.ints(ids, 2, 4);
        Val counts = MiscOps.denseBincount(x, Val.scalarInt(4), Val.floats(new float[0], 0), false);
        Val weighted = MiscOps.denseBincount(x, Val.scalarInt(4), Val.floats(w, 2, 4), false);
        Val binary = MiscOps.denseBincount(x, Val.scalarInt(4), Val.floats(w, 2, 4), true);
        assertThat(counts.shape).containsExactly(2, 4);
        float[] c = new float[8], s = new float[8], b = new float[8];
        for (int k = 0; k < ids.length; k++) {
            if (ids[k] >= 4) continue;
            int at = (k / 4) * 4 + ids[k];
            c[at] += 1;
            s[at] += w[k];
            b[at] = 1;
        }
        assertThat(counts.f()).containsExactly(c);
        assertThat(weighted.f()).containsExactly(s);
        assertThat(binary.f()).containsExactly(b);
        assertThatThrownBy(() -> MiscOps.denseBincount(Val.ints(new int[] {-1}, 1), Val.scalarInt(4), Val.floats(new float[0], 0), false))
                .isInstanceOf(GraphException.class).hasMessageContaining("non-negative");
    }

    @Test
    void topKTakesTheLargestFirstAndEqualValuesInIndexOrder() {
        float[] x = {3f, 1f, 3f, 7f, -2f, 7f, 0f, 3f};
        Val[] r = MiscOps.topK(Val.floats(x, 2, 4), Val.scalarInt(3), DTypes.INT32);
        for (int row = 0; row < 2; row++) {
            Integer[] order = {0, 1, 2, 3};
            int base = row * 4;
            Arrays.sort(order, (a, b2) -> x[base + a] != x[base + b2] ? Float.compare(x[base + b2], x[base + a]) : Integer.compare(a, b2));
            for (int j = 0; j < 3; j++) {
                assertThat(r[1].i()[row * 3 + j]).isEqualTo(order[j]);
                assertThat(r[0].f()[row * 3 + j]).isEqualTo(x[base + order[j]]);
            }
        }
        assertThatThrownBy(() -> MiscOps.topK(Val.floats(x, 8), Val.scalarInt(9), DTypes.INT32))
                .isInstanceOf(GraphException.class).hasMessageContaining("at least k=9");
    }

    @Test
    void uniqueKeepsFirstAppearancesAndMapsEveryElementToOne() {
        long[] x = {5, 2, 5, 5, 9, 2};
        Val[] r = MiscOps.unique(Val.longs(x, x.length), DTypes.INT32);
        assertThat(r[0].l()).containsExactly(5, 2, 9);
        for (int k = 0; k < x.length; k++) assertThat(r[0].l()[r[1].i()[k]]).isEqualTo(x[k]);
    }

    @Test
    void bitcastReinterpretsLittleEndianBytesAndMovesTheLastDimension() {
        float[] f = {1.5f, -0f, Float.MIN_VALUE};
        Val bytes = MiscOps.bitcast(Val.floats(f, 3), DTypes.UINT8);
        assertThat(bytes.shape).containsExactly(3, 4);
        for (int k = 0; k < 3; k++) {
            int bits = Float.floatToRawIntBits(f[k]);
            for (int j = 0; j < 4; j++) assertThat(bytes.i()[k * 4 + j]).isEqualTo((bits >>> (8 * j)) & 0xFF);
        }
        assertThat(MiscOps.bitcast(bytes, DTypes.FLOAT).f()).containsExactly(f);
        assertThatThrownBy(() -> MiscOps.bitcast(Val.ints(new int[] {1, 2, 3}, 3), DTypes.INT64))
                .isInstanceOf(GraphException.class).hasMessageContaining("last dimension of 2");
    }

    @Test
    void asStringRoundsExactBinaryValuesHalfToEvenAsCsPrintfDoes() {
        // 0.125 and 0.375 are exact binary ties at two decimals; 0.1 is just above 0.1 so rounds as written.
        assertThat(format('f', "", -1, 2, 0.125)).isEqualTo("0.12");
        assertThat(format('f', "", -1, 2, 0.375)).isEqualTo("0.38");
        assertThat(format('f', "", -1, -1, 0.1)).isEqualTo("0.100000");
        assertThat(format('e', "", -1, 3, 123456.0)).isEqualTo("1.235e+05");
        assertThat(format('e', "", -1, 0, 0.0)).isEqualTo("0e+00");
        assertThat(format('g', "", -1, -1, 100000.0)).isEqualTo("100000");
        assertThat(format('g', "", -1, -1, 1000000.0)).isEqualTo("1e+06");
        assertThat(format('g', "", -1, -1, 0.0001)).isEqualTo("0.0001");
        assertThat(format('g', "", -1, -1, 0.00001)).isEqualTo("1e-05");
        assertThat(format('f', "0", 8, 1, -2.5)).isEqualTo("-00002.5");
        assertThat(format('f', "-", 6, 0, 3.0)).isEqualTo("3     ");
        assertThat(format('f', "0", 6, -1, Double.NEGATIVE_INFINITY)).isEqualTo("  -inf");
        assertThat(new AsStringFormat('d', "+", 4, -1).integer(7)).isEqualTo("  +7");
        assertThat(new AsStringFormat('d', "", -1, -1).integer(Long.MIN_VALUE)).isEqualTo(Long.toString(Long.MIN_VALUE));
        assertThatThrownBy(() -> new AsStringFormat('d', "x", 3, -1)).isInstanceOf(GraphException.class).hasMessageContaining("not supported");
    }

    @Test
    void stringToHashBucketFastIsTheFingerprintModuloTheBuckets() {
        byte[][] s = {"".getBytes(StandardCharsets.UTF_8), "keras4j".getBytes(StandardCharsets.UTF_8)};
        Val v = Kernels.run("StringToHashBucketFast", Map.of("num_buckets", AttrValue.newBuilder().setI(1000).build()),
                new Val(DTypes.STRING, new int[] {2}, s));
        for (int k = 0; k < 2; k++) assertThat(v.l()[k]).isEqualTo(Long.remainderUnsigned(FarmHash.fingerprint64(s[k]), 1000));
        assertThatThrownBy(() -> Kernels.run("StringToHashBucketFast", Map.of("num_buckets", AttrValue.newBuilder().setI(0).build()),
                new Val(DTypes.STRING, new int[] {2}, s))).isInstanceOf(GraphException.class).hasMessageContaining("num_buckets");
    }

    @Test
    void lookupTablesFindImportedValuesOrTheDefaultAndRefuseOtherKeyTypes() {
        LookupOps.Table t = new LookupOps.Table(DTypes.INT64, DTypes.FLOAT, new java.util.concurrent.ConcurrentHashMap<>());
        LookupOps.insert(t, Val.longs(new long[] {7, -3, 42}, 3), Val.floats(new float[] {0.5f, 1.5f, 2.5f}, 3));
        long[] keys = {42, 8, 7, 7, -3, 0};
        Val found = LookupOps.find(t, Val.longs(keys, 2, 3), Val.scalar(-1f));
        assertThat(found.shape).containsExactly(2, 3);
        Map<Long, Float> table = Map.of(7L, 0.5f, -3L, 1.5f, 42L, 2.5f);
        for (int k = 0; k < keys.length; k++) assertThat(found.f()[k]).isEqualTo(table.getOrDefault(keys[k], -1f));
        assertThatThrownBy(() -> LookupOps.find(t, Val.ints(new int[] {7}, 1), Val.scalar(-1f)))
                .isInstanceOf(GraphException.class).hasMessageContaining("int32 keys in a table of int64");
        assertThatThrownBy(() -> LookupOps.insert(t, Val.longs(new long[] {1, 2}, 2), Val.floats(new float[] {1f}, 1)))
                .isInstanceOf(GraphException.class).hasMessageContaining("2 keys but 1 values");
    }

    private static String format(char conversion, String fill, int width, int precision, double v) {
        return new AsStringFormat(conversion, fill, width, precision).floating(v);
    }
}
