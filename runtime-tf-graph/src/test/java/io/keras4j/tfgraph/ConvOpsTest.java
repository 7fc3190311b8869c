package io.keras4j.tfgraph;

import static io.keras4j.tfgraph.NnNodes.at;
import static io.keras4j.tfgraph.NnNodes.atOrZero;
import static io.keras4j.tfgraph.NnNodes.ints;
import static io.keras4j.tfgraph.NnNodes.node;
import static io.keras4j.tfgraph.NnNodes.random;
import static io.keras4j.tfgraph.NnNodes.run;
import static io.keras4j.tfgraph.NnNodes.samePadBefore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The convolution kernels against direct sums over their definitions. */
class ConvOpsTest {

    /** Conv2D by its definition: a sum over the window of each output pixel, zeros outside, for one group. */
    private static Val directConv2d(Val x, Val f, int[] stride, int[] dilation, int[] padBefore, int[] out) {
        int batch = x.shape[0], channels = x.shape[3];
        int kh = f.shape[0], kw = f.shape[1], groupDepth = f.shape[2], outChannels = f.shape[3];
        int groupOut = outChannels / (channels / groupDepth);
        float[] y = new float[batch * out[0] * out[1] * outChannels];
        int k = 0;
        for (int b = 0; b < batch; b++)
            for (int oy = 0; oy < out[0]; oy++)
                for (int ox = 0; ox < out[1]; ox++)
                    for (int o = 0; o < outChannels; o++, k++) {
                        int g = o / groupOut;
                        double sum = 0;
                        for (int ky = 0; ky < kh; ky++)
                            for (int kx = 0; kx < kw; kx++)
                                for (int c = 0; c < groupDepth; c++) {
                                    int iy = oy * stride[0] - padBefore[0] + ky * dilation[0];
                                    int ix = ox * stride[1] - padBefore[1] + kx * dilation[1];
                                    sum += atOrZero(x, b, iy, ix, g * groupDepth + c) * at(f, ky, kx, c, o);
                                }
                        y[k] = (float) sum;
                    }
        return Val.floats(y, batch, out[0], out[1], outChannels);
    }

    private static void assertClose(Val actual, Val expected) {
        assertThat(actual.shape).containsExactly(expected.shape);
        for (int k = 0; k < expected.size(); k++) assertThat(actual.f()[k]).as("element %d", k).isCloseTo(expected.f()[k], within(1e-4f));
    }

    @ParameterizedTest
    @ValueSource(strings = {"VALID", "SAME", "EXPLICIT"})
    void conv2dWithStridesAndDilationsIsTheWindowSum(String padding) {
        Val x = random(1, 2, 9, 8, 3);
        Val f = random(2, 3, 2, 3, 5);
        int[] stride = {2, 1}, dilation = {1, 2};
        Node n = node("Conv2D", "strides", new int[] {1, 2, 1, 1}, "dilations", new int[] {1, 1, 2, 1}, "padding", padding,
                "explicit_paddings", new int[] {0, 0, 1, 2, 0, 3, 0, 0});
        int[] pad, out;
        if (padding.equals("VALID")) {
            pad = new int[] {0, 0};
            out = new int[] {(9 - 3) / 2 + 1, (8 - 3) / 1 + 1};
        } else if (padding.equals("SAME")) {
            pad = new int[] {samePadBefore(9, 3, 2, 1), samePadBefore(8, 2, 1, 2)};
            out = new int[] {5, 8};
        } else {
            pad = new int[] {1, 0};
            out = new int[] {(9 + 3 - 3) / 2 + 1, (8 + 3 - 3) + 1};
        }
        assertClose(run(n, x, f), directConv2d(x, f, stride, dilation, pad, out));
    }

    @Test
    void groupedConv2dConvolvesEachGroupWithItsOwnFilters() {
        Val x = random(3, 1, 5, 5, 4);
        Val f = random(4, 3, 3, 2, 6); // 2 groups of 2 input and 3 output channels
        Node n = node("Conv2D", "strides", new int[] {1, 1, 1, 1}, "padding", "SAME");
        assertClose(run(n, x, f), directConv2d(x, f, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, new int[] {5, 5}));
    }

    @Test
    void pointwiseConv2dIsAMatrixProductPerPixel() {
        Val x = random(5, 2, 3, 4, 7);
        Val f = random(6, 1, 1, 7, 9);
        Node n = node("Conv2D", "strides", new int[] {1, 1, 1, 1}, "padding", "VALID");
        assertClose(run(n, x, f), directConv2d(x, f, new int[] {1, 1}, new int[] {1, 1}, new int[] {0, 0}, new int[] {3, 4}));
    }

    @Test
    void nchwConv2dIsTheTransposedNhwcOne() {
        Val x = random(7, 2, 6, 5, 3);
        Val f = random(8, 3, 3, 3, 4);
        Val nhwc = run(node("Conv2D", "strides", new int[] {1, 2, 2, 1}, "padding", "SAME"), x, f);
        Val nchw = run(node("Conv2D", "strides", new int[] {1, 1, 2, 2}, "padding", "SAME", "data_format", "NCHW"),
                ArrayOps.transpose(x, new int[] {0, 3, 1, 2}), f);
        assertClose(nchw, ArrayOps.transpose(nhwc, new int[] {0, 3, 1, 2}));
    }

    @Test
    void conv3dIsTheWindowSum() {
        Val x = random(9, 1, 4, 5, 6, 2);
        Val f = random(10, 2, 3, 2, 2, 3);
        Val y = run(node("Conv3D", "strides", new int[] {1, 1, 2, 1, 1}, "padding", "SAME"), x, f);
        int[] pad = {samePadBefore(4, 2, 1, 1), samePadBefore(5, 3, 2, 1), samePadBefore(6, 2, 1, 1)};
        int[] out = {4, 3, 6};
        assertThat(y.shape).containsExactly(1, 4, 3, 6, 3);
        for (int d = 0; d < out[0]; d++)
            for (int h = 0; h < out[1]; h++)
                for (int w = 0; w < out[2]; w++)
                    for (int o = 0; o < 3; o++) {
                        double sum = 0;
                        for (int kd = 0; kd < 2; kd++)
                            for (int kh = 0; kh < 3; kh++)
                                for (int kw = 0; kw < 2; kw++)
                                    for (int c = 0; c < 2; c++) {
                                        sum += atOrZero(x, 0, d - pad[0] + kd, h * 2 - pad[1] + kh, w - pad[2] + kw, c) * at(f, kd, kh, kw, c, o);
                                    }
                        assertThat(at(y, 0, d, h, w, o)).isCloseTo((float) sum, within(1e-4f));
                    }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void depthwiseConvolvesEachChannelWithItsMultiplierFilters(int multiplier) {
        Val x = random(11, 2, 6, 7, 4);
        Val f = random(12, 3, 3, 4, multiplier);
        Val y = run(node("DepthwiseConv2dNative", "strides", new int[] {1, 2, 1, 1}, "dilations", new int[] {1, 1, 2, 1},
                "padding", "SAME"), x, f);
        int padH = samePadBefore(6, 3, 2, 1), padW = samePadBefore(7, 3, 1, 2);
        assertThat(y.shape).containsExactly(2, 3, 7, 4 * multiplier);
        for (int b = 0; b < 2; b++)
            for (int oy = 0; oy < 3; oy++)
                for (int ox = 0; ox < 7; ox++)
                    for (int c = 0; c < 4; c++)
                        for (int m = 0; m < multiplier; m++) {
                            double sum = 0;
                            for (int ky = 0; ky < 3; ky++)
                                for (int kx = 0; kx < 3; kx++) {
                                    sum += atOrZero(x, b, oy * 2 - padH + ky, ox - padW + kx * 2, c) * at(f, ky, kx, c, m);
                                }
                            assertThat(at(y, b, oy, ox, c * multiplier + m)).isCloseTo((float) sum, within(1e-4f));
                        }
    }

    private static double dot(Val a, Val b) {
        double s = 0;
        for (int k = 0; k < a.size(); k++) s += (double) a.f()[k] * b.f()[k];
        return s;
    }

    /**
     * Conv2DBackpropInput is by definition the adjoint of Conv2D with the same filter and geometry:
     * {@code <conv(x), dy> = <x, convT(dy)>} for every x and dy.
     */
    @ParameterizedTest
    @ValueSource(strings = {"VALID", "SAME", "EXPLICIT"})
    void transposedConv2dIsTheAdjointOfConv2d(String padding) {
        Object[] attrs = {"strides", new int[] {1, 2, 3, 1}, "dilations", new int[] {1, 1, 2, 1}, "padding", padding,
                "explicit_paddings", new int[] {0, 0, 2, 1, 1, 0, 0, 0}};
        Val x = random(13, 2, 7, 9, 3);
        Val f = random(14, 3, 2, 3, 4);
        Val y = run(node("Conv2D", attrs), x, f);
        Val dy = random(15, y.shape);
        Val dx = run(node("Conv2DBackpropInput", attrs), ints(x.shape), f, dy);
        assertThat(dx.shape).containsExactly(x.shape);
        assertThat(dot(x, dx)).isCloseTo(dot(y, dy), within(1e-3 * Math.max(1, Math.abs(dot(y, dy)))));
        // input_sizes may give the spatial sizes only; batch and depth are then those of out_backprop and filter.
        assertThat(run(node("Conv2DBackpropInput", attrs), ints(7, 9), f, dy).f()).containsExactly(dx.f());
        // Each basis input gives one column of the adjoint identity too, not only the random direction.
        Val basis = Val.zeros(DTypes.FLOAT, x.shape);
        basis.f()[40] = 1;
        assertThat((double) dx.f()[40]).isCloseTo(dot(run(node("Conv2D", attrs), basis, f), dy), within(1e-4));
    }

    @Test
    void transposedConv3dIsTheAdjointOfConv3d() {
        Object[] attrs = {"strides", new int[] {1, 2, 1, 2, 1}, "padding", "SAME"};
        Val x = random(16, 1, 5, 4, 6, 2);
        Val f = random(17, 2, 3, 3, 2, 3);
        Val y = run(node("Conv3D", attrs), x, f);
        Val dy = random(18, y.shape);
        Val dx = run(node("Conv3DBackpropInputV2", attrs), ints(x.shape), f, dy);
        assertThat(dx.shape).containsExactly(x.shape);
        assertThat(dot(x, dx)).isCloseTo(dot(y, dy), within(1e-3 * Math.max(1, Math.abs(dot(y, dy)))));
    }

    @Test
    void badGeometryIsRefusedWithTheReason() {
        Val x = random(19, 1, 4, 4, 3);
        assertThatThrownBy(() -> run(node("Conv2D", "strides", new int[] {1, 1, 1, 1}, "padding", "FULL"), x, random(20, 2, 2, 3, 1)))
                .isInstanceOf(GraphException.class).hasMessageContaining("padding 'FULL'");
        assertThatThrownBy(() -> run(node("Conv2D", "strides", new int[] {1, 1, 1, 1}, "padding", "VALID"), x, random(20, 2, 2, 2, 1)))
                .isInstanceOf(GraphException.class).hasMessageContaining("not a multiple");
        assertThatThrownBy(() -> run(node("Conv2D", "strides", new int[] {2, 1, 1, 1}, "padding", "VALID"), x, random(20, 2, 2, 3, 1)))
                .isInstanceOf(GraphException.class).hasMessageContaining("batch or channel");
        assertThatThrownBy(() -> run(node("Conv2D", "strides", new int[] {1, 1, 1, 1}, "padding", "VALID"), x, random(20, 6, 2, 3, 1)))
                .isInstanceOf(GraphException.class).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> run(node("Conv2D", "strides", new int[] {1, 1, 1, 1}, "padding", "EXPLICIT",
                "explicit_paddings", new int[] {0, 0, Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 0, 0, 0}), x, random(20, 2, 2, 3, 1)))
                .isInstanceOf(GraphException.class).hasMessageContaining("too large");
        assertThatThrownBy(() -> run(node("Conv2D", "strides", new int[] {1, 1, 1, 1}, "padding", "EXPLICIT",
                "explicit_paddings", new int[] {0, 0, 1, 1}), x, random(20, 2, 2, 3, 1)))
                .isInstanceOf(GraphException.class).hasMessageContaining("explicit_paddings");
        assertThatThrownBy(() -> run(node("Conv2D", "strides", new int[] {1, 1, 1, 1}, "padding", "VALID", "data_format", "NCHW_VECT_C"), x, random(20, 2, 2, 3, 1)))
                .isInstanceOf(GraphException.class).hasMessageContaining("data_format");
        assertThatThrownBy(() -> run(node("Conv2DBackpropInput", "strides", new int[] {1, 1, 1, 1}, "padding", "VALID"),
                ints(1, 4, 4, 3), random(20, 2, 2, 3, 1), random(21, 1, 4, 4, 1)))
                .isInstanceOf(GraphException.class).hasMessageContaining("is not the output size");
    }

    @Test
    void emptyValuesGiveEmptyResults() {
        Val none = run(node("Conv2D", "strides", new int[] {1, 1, 1, 1}, "padding", "SAME"), random(22, 0, 4, 4, 3), random(23, 3, 3, 3, 2));
        assertThat(none.shape).containsExactly(0, 4, 4, 2);
        Val noFilters = run(node("Conv2D", "strides", new int[] {1, 1, 1, 1}, "padding", "SAME"), random(22, 1, 4, 4, 3), random(23, 3, 3, 3, 0));
        assertThat(noFilters.shape).containsExactly(1, 4, 4, 0);
        Val zeroGradient = run(node("Conv2DBackpropInput", "strides", new int[] {1, 1, 1, 1}, "padding", "SAME"),
                ints(1, 4, 4, 3), random(23, 3, 3, 3, 0), random(24, 1, 4, 4, 0));
        assertThat(zeroGradient.f()).hasSize(48).containsOnly(0f);
    }
}
