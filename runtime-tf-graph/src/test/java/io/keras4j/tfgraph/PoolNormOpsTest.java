package io.keras4j.tfgraph;

import static io.keras4j.tfgraph.NnNodes.at;
import static io.keras4j.tfgraph.NnNodes.ints;
import static io.keras4j.tfgraph.NnNodes.node;
import static io.keras4j.tfgraph.NnNodes.random;
import static io.keras4j.tfgraph.NnNodes.run;
import static io.keras4j.tfgraph.NnNodes.runAll;
import static io.keras4j.tfgraph.NnNodes.samePadBefore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Pooling and fused batch normalization against their definitions. */
class PoolNormOpsTest {

    /** Max and average over the in-bounds part of each window (TF's SAME average counts only those). */
    @Test
    void poolingUsesOnlyTheElementsInsideTheInput() {
        Val x = random(1, 2, 5, 7, 3);
        int[] ksize = {1, 3, 2, 1}, strides = {1, 2, 2, 1};
        Val max = run(node("MaxPool", "ksize", ksize, "strides", strides, "padding", "SAME"), x);
        Val avg = run(node("AvgPool", "ksize", ksize, "strides", strides, "padding", "SAME"), x);
        Val maxV2 = run(node("MaxPoolV2", "padding", "SAME"), x, ints(ksize), ints(strides));
        int padH = samePadBefore(5, 3, 2, 1), padW = samePadBefore(7, 2, 2, 1);
        assertThat(max.shape).containsExactly(2, 3, 4, 3);
        assertThat(maxV2.f()).containsExactly(max.f());
        for (int b = 0; b < 2; b++)
            for (int oy = 0; oy < 3; oy++)
                for (int ox = 0; ox < 4; ox++)
                    for (int c = 0; c < 3; c++) {
                        float best = Float.NEGATIVE_INFINITY;
                        double sum = 0;
                        int count = 0;
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 2; kx++) {
                                int iy = oy * 2 - padH + ky, ix = ox * 2 - padW + kx;
                                if (iy < 0 || iy >= 5 || ix < 0 || ix >= 7) continue;
                                float v = at(x, b, iy, ix, c);
                                best = Math.max(best, v);
                                sum += v;
                                count++;
                            }
                        assertThat(at(max, b, oy, ox, c)).isEqualTo(best);
                        assertThat(at(avg, b, oy, ox, c)).isCloseTo((float) (sum / count), within(1e-5f));
                    }
    }

    @Test
    void pool3dValidAveragesWholeWindowsAndNcdhwMatchesNdhwc() {
        Val x = random(2, 1, 4, 4, 4, 2);
        int[] ksize = {1, 2, 2, 2, 1}, strides = {1, 2, 2, 2, 1};
        Val avg = run(node("AvgPool3D", "ksize", ksize, "strides", strides, "padding", "VALID"), x);
        Val max = run(node("MaxPool3D", "ksize", ksize, "strides", strides, "padding", "VALID"), x);
        assertThat(avg.shape).containsExactly(1, 2, 2, 2, 2);
        for (int d = 0; d < 2; d++)
            for (int h = 0; h < 2; h++)
                for (int w = 0; w < 2; w++)
                    for (int c = 0; c < 2; c++) {
                        double sum = 0;
                        float best = Float.NEGATIVE_INFINITY;
                        for (int k = 0; k < 8; k++) {
                            float v = at(x, 0, 2 * d + (k >> 2), 2 * h + ((k >> 1) & 1), 2 * w + (k & 1), c);
                            sum += v;
                            best = Math.max(best, v);
                        }
                        assertThat(at(avg, 0, d, h, w, c)).isCloseTo((float) (sum / 8), within(1e-5f));
                        assertThat(at(max, 0, d, h, w, c)).isEqualTo(best);
                    }
        Val first = run(node("MaxPool3D", "ksize", new int[] {1, 1, 2, 2, 2}, "strides", new int[] {1, 1, 2, 2, 2},
                "padding", "VALID", "data_format", "NCDHW"), ArrayOps.transpose(x, new int[] {0, 4, 1, 2, 3}));
        assertThat(first.f()).containsExactly(ArrayOps.transpose(max, new int[] {0, 4, 1, 2, 3}).f());
    }

    @Test
    void maxPoolKeepsOnlyGreaterValuesSoNaNNeverWins() {
        float nan = Float.NaN;
        Val x = Val.floats(new float[] {nan, 1, 2, 3, 4, 5, nan, 0}, 1, 2, 4, 1);
        Val y = run(node("MaxPool", "ksize", new int[] {1, 2, 2, 1}, "strides", new int[] {1, 2, 2, 1}, "padding", "VALID"), x);
        assertThat(y.f()).containsExactly(5f, 3f);
    }

    @Test
    void poolingOverChannelsIsRefused() {
        assertThatThrownBy(() -> run(node("MaxPool", "ksize", new int[] {1, 2, 2, 2}, "strides", new int[] {1, 1, 1, 1},
                "padding", "VALID"), random(3, 1, 4, 4, 4)))
                .isInstanceOf(GraphException.class).hasMessageContaining("ksize");
    }

    @Test
    void inferenceBatchNormUsesTheGivenStatistics() {
        Val x = random(4, 2, 3, 2, 4);
        Val scale = random(5, 4), offset = random(6, 4), mean = random(7, 4);
        float[] var = {0.5f, 1f, 2f, 0.1f};
        Node n = node("FusedBatchNormV3", "epsilon", 0.001f, "is_training", false);
        Val[] out = runAll(n, x, scale, offset, mean, Val.floats(var, 4));
        assertThat(out).hasSize(6);
        for (int k = 0; k < x.size(); k++) {
            int c = k % 4;
            double expected = (x.f()[k] - mean.f()[c]) / Math.sqrt(var[c] + 0.001) * scale.f()[c] + offset.f()[c];
            assertThat(out[0].f()[k]).isCloseTo((float) expected, within(1e-5f));
        }
        assertThat(out[1].f()).containsExactly(mean.f());
        assertThat(out[2].f()).containsExactly(var);
        Op op = OpTable.standard().get("FusedBatchNormV3");
        assertThat(op.outputOffset(n, "batch_variance")).isEqualTo(2);
        assertThat(op.outputOffset(n, "reserve_space_3")).isEqualTo(5);
    }

    @Test
    void trainingBatchNormNormalizesWithTheBatchStatisticsPerChannel() {
        Val x = random(8, 2, 4, 3, 5); // NCHW: 4 channels of 2 * 3 * 5 elements
        Val ones = Val.floats(new float[] {1, 1, 1, 1}, 4), zeros = Val.floats(new float[4], 4);
        Val empty = Val.floats(new float[0], 0);
        Val[] out = runAll(node("FusedBatchNormV3", "epsilon", 0.01f, "data_format", "NCHW"), x, ones, zeros, empty, empty);
        for (int c = 0; c < 4; c++) {
            double sum = 0, sq = 0;
            int count = 0;
            for (int b = 0; b < 2; b++) for (int s = 0; s < 15; s++) { sum += x.f()[(b * 4 + c) * 15 + s]; count++; }
            double mean = sum / count;
            for (int b = 0; b < 2; b++) for (int s = 0; s < 15; s++) sq += Math.pow(x.f()[(b * 4 + c) * 15 + s] - mean, 2);
            double biased = sq / count;
            assertThat(out[1].f()[c]).isCloseTo((float) mean, within(1e-5f));
            assertThat(out[2].f()[c]).isCloseTo((float) (sq / (count - 1)), within(1e-5f));
            for (int b = 0; b < 2; b++)
                for (int s = 0; s < 15; s++) {
                    int k = (b * 4 + c) * 15 + s;
                    assertThat(out[0].f()[k]).isCloseTo((float) ((x.f()[k] - mean) / Math.sqrt(biased + 0.01)), within(1e-5f));
                }
        }
    }

    @Test
    void batchNormRefusesStatisticsOfTheWrongLength() {
        Val v3 = Val.floats(new float[3], 3);
        assertThatThrownBy(() -> runAll(node("FusedBatchNorm", "is_training", false), random(9, 1, 2, 2, 4), v3, v3, v3, v3))
                .isInstanceOf(GraphException.class).hasMessageContaining("scale").hasMessageContaining("4 channels");
    }
}
