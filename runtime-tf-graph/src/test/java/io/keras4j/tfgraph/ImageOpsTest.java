package io.keras4j.tfgraph;

import static io.keras4j.tfgraph.NnNodes.at;
import static io.keras4j.tfgraph.NnNodes.ints;
import static io.keras4j.tfgraph.NnNodes.node;
import static io.keras4j.tfgraph.NnNodes.random;
import static io.keras4j.tfgraph.NnNodes.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Resizing, space/batch reshuffles, projective transforms and colour conversion against their definitions. */
class ImageOpsTest {

    @Test
    void alignedBilinearHitsTheInputAtEvenOutputsAndMidpointsBetween() {
        Val x = random(1, 1, 3, 4, 2);
        Val y = run(node("ResizeBilinear", "align_corners", true), x, ints(5, 7));
        assertThat(y.shape).containsExactly(1, 5, 7, 2);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 7; j++)
                for (int c = 0; c < 2; c++) {
                    // Output (i, j) sits at input (i / 2, j / 2): corners of 4 input pixels averaged by the fractions.
                    double sy = i / 2.0, sx = j / 2.0;
                    int y0 = (int) Math.floor(sy), x0 = (int) Math.floor(sx);
                    int y1 = Math.min(y0 + 1, 2), x1 = Math.min(x0 + 1, 3);
                    double fy = sy - y0, fx = sx - x0;
                    double expected = (1 - fy) * ((1 - fx) * at(x, 0, y0, x0, c) + fx * at(x, 0, y0, x1, c))
                            + fy * ((1 - fx) * at(x, 0, y1, x0, c) + fx * at(x, 0, y1, x1, c));
                    assertThat(at(y, 0, i, j, c)).isCloseTo((float) expected, within(1e-5f));
                }
    }

    @Test
    void halfPixelBilinearSamplesPixelCentresAndClampsAtTheEdges() {
        Val x = random(2, 2, 3, 5, 1);
        Val y = run(node("ResizeBilinear", "half_pixel_centers", true), x, ints(6, 5));
        // Same width: columns unchanged. Doubled height: centre of output row i is input row (i + 0.5) / 2 - 0.5.
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 5; j++) {
                    double src = Math.min(Math.max((i + 0.5) / 2 - 0.5, 0), 2);
                    int y0 = (int) Math.floor(src), y1 = Math.min(y0 + 1, 2);
                    double expected = (1 - (src - y0)) * at(x, b, y0, j, 0) + (src - y0) * at(x, b, y1, j, 0);
                    assertThat(at(y, b, i, j, 0)).isCloseTo((float) expected, within(1e-5f));
                }
    }

    @Test
    void halfPixelNearestRepeatsEachPixelWhenDoubling() {
        Val x = Val.ints(new int[] {1, 2, 3, 4, 5, 6}, 1, 2, 3, 1);
        Val y = run(node("ResizeNearestNeighbor", "half_pixel_centers", true), x, ints(4, 6));
        assertThat(y.dtype).isEqualTo(DTypes.INT32);
        assertThat(y.i()).containsExactly(1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6);
        // Legacy (no half-pixel): output i takes input floor(i * in / out).
        // A size beyond 2^31 elements is refused before anything of that size is allocated.
        assertThatThrownBy(() -> run(node("ResizeBilinear"), x, ints(Integer.MAX_VALUE, Integer.MAX_VALUE)))
                .isInstanceOf(GraphException.class).hasMessageContaining("2^31");
        assertThatThrownBy(() -> run(node("ResizeNearestNeighbor"), Val.ints(new int[0], 1, 0, 3, 1), ints(2, 2)))
                .isInstanceOf(GraphException.class).hasMessageContaining("no pixels");
        Val legacy = run(node("ResizeNearestNeighbor"), x, ints(1, 2));
        assertThat(legacy.i()).containsExactly(1, (int) Math.floor(1 * 3 / 2.0) + 1);
    }

    @Test
    void bicubicKeepsASameSizeImageAndAConstantOne() {
        Val x = random(3, 1, 4, 5, 2);
        Val same = run(node("ResizeBicubic", "half_pixel_centers", true), x, ints(4, 5));
        for (int k = 0; k < x.size(); k++) assertThat(same.f()[k]).isCloseTo(x.f()[k], within(1e-6f));
        float[] c = new float[3 * 4];
        java.util.Arrays.fill(c, 2.5f);
        Val up = run(node("ResizeBicubic", "half_pixel_centers", true), Val.floats(c, 1, 3, 4, 1), ints(7, 9));
        for (float v : up.f()) assertThat(v).isCloseTo(2.5f, within(1e-5f));
    }

    /** SpaceToBatchND by its definition: pad, split each block dimension in (outer, block), move blocks first. */
    @Test
    void spaceToBatchIsPadReshapeTransposeAndBatchToSpaceUndoesIt() {
        Val x = random(4, 2, 3, 5, 2);
        int[] block = {2, 3};
        int[] pads = {1, 0, 0, 1};
        Val s2b = run(node("SpaceToBatchND"), x, ints(block), Val.ints(pads, 2, 2));
        Val padded = run(node("Pad"), x, Val.ints(new int[] {0, 0, 1, 0, 0, 1, 0, 0}, 4, 2));
        Val split = padded.reshape(new int[] {2, 2, 2, 2, 3, 2});
        Val moved = ArrayOps.transpose(split, new int[] {2, 4, 0, 1, 3, 5});
        assertThat(s2b.shape).containsExactly(12, 2, 2, 2);
        assertThat(s2b.f()).containsExactly(moved.f());
        Val back = run(node("BatchToSpaceND"), s2b, ints(block), Val.ints(pads, 2, 2));
        assertThat(back.shape).containsExactly(x.shape);
        assertThat(back.f()).containsExactly(x.f());
        Val empty = run(node("SpaceToBatchND"), random(9, 0, 4, 3, 2), ints(block), Val.ints(new int[] {0, 0, 0, 0}, 2, 2));
        assertThat(empty.shape).containsExactly(0, 2, 1, 2);
        assertThatThrownBy(() -> run(node("SpaceToBatchND"), x, ints(2, 4), Val.ints(pads, 2, 2)))
                .isInstanceOf(GraphException.class).hasMessageContaining("not a multiple of block size");
    }

    @Test
    void projectiveTransformSamplesTheMappedPointAndFillsOutside() {
        Val x = random(5, 1, 3, 4, 1);
        float[] identity = {1, 0, 0, 0, 1, 0, 0, 0};
        Val same = run(node("ImageProjectiveTransformV3", "interpolation", "BILINEAR", "dtype", 1), x,
                Val.floats(identity, 1, 8), ints(3, 4), Val.scalar(0));
        assertThat(same.f()).containsExactly(x.f());
        // input_x = x + 0.5: bilinear averages horizontal neighbours; the last column's right neighbour is outside,
        // and a read outside the input is fill_value.
        float[] shift = {1, 0, 0.5f, 0, 1, 0, 0, 0};
        Val constant = run(node("ImageProjectiveTransformV3", "interpolation", "BILINEAR", "fill_mode", "CONSTANT"), x,
                Val.floats(shift, 1, 8), ints(3, 4), Val.scalar(7));
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(at(constant, 0, i, j, 0)).isCloseTo((at(x, 0, i, j, 0) + at(x, 0, i, j + 1, 0)) / 2, within(1e-6f));
            }
            assertThat(at(constant, 0, i, 3, 0)).isCloseTo((at(x, 0, i, 3, 0) + 7) / 2, within(1e-6f));
        }
        float[] farShift = {1, 0, 2.5f, 0, 1, 0, 0, 0};
        Val outside = run(node("ImageProjectiveTransformV3", "interpolation", "NEAREST"), x,
                Val.floats(farShift, 1, 8), ints(3, 4), Val.scalar(7));
        for (int i = 0; i < 3; i++) assertThat(at(outside, 0, i, 2, 0)).isEqualTo(7f);
        // Nearest fill mode clamps 3.5 to the last column.
        Val nearest = run(node("ImageProjectiveTransformV3", "interpolation", "NEAREST", "fill_mode", "NEAREST"), x,
                Val.floats(shift, 1, 8), ints(3, 4), Val.scalar(7));
        for (int i = 0; i < 3; i++) assertThat(at(nearest, 0, i, 3, 0)).isEqualTo(at(x, 0, i, 3, 0));
        assertThatThrownBy(() -> run(node("ImageProjectiveTransformV3", "interpolation", "BICUBIC"), x,
                Val.floats(identity, 1, 8), ints(3, 4), Val.scalar(0)))
                .isInstanceOf(GraphException.class).hasMessageContaining("interpolation 'BICUBIC'");
    }

    @Test
    void reflectAndWrapFoldCoordinatesIntoTheImage() {
        // Reflect [abcd] to dcba|abcd|dcba; wrap to abcd|abcd|abcd.
        float[] reflected = {3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0};
        float[] wrapped = {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3};
        for (int k = -4; k < 8; k++) {
            assertThat(ImageOps.mapCoordinate("REFLECT", k, 4)).as("reflect %d", k).isEqualTo(reflected[k + 4]);
        }
        // TensorFlow's wrap divides by len - 1, so it agrees with the periodic definition only up to one period out.
        for (int k = -2; k < 6; k++) {
            assertThat(ImageOps.mapCoordinate("WRAP", k, 4)).as("wrap %d", k).isEqualTo(wrapped[k + 4]);
        }
        assertThat(ImageOps.mapCoordinate("NEAREST", -3.5f, 4)).isEqualTo(0f);
        assertThat(ImageOps.mapCoordinate("CONSTANT", -3.5f, 4)).isEqualTo(-3.5f);
    }

    @Test
    void hsvOfPrimaryColoursAndRoundTrip() {
        Val rgb = Val.floats(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5f, 0.5f, 0.5f}, 4, 3);
        Val hsv = run(node("RGBToHSV"), rgb);
        // Hue is a sixth of the turn per primary/secondary colour: red 0, green 1/3, blue 2/3; grey has none.
        assertThat(hsv.f()).containsExactly(new float[] {0, 1, 1, 1 / 3f, 1, 1, 2 / 3f, 1, 1, 0, 0, 0.5f}, within(1e-6f));
        Val x = random(6, 5, 4, 3);
        float[] positive = new float[x.size()];
        for (int k = 0; k < positive.length; k++) positive[k] = Math.abs(x.f()[k]);
        Val back = run(node("HSVToRGB"), run(node("RGBToHSV"), Val.floats(positive, 5, 4, 3)));
        assertThat(back.f()).containsExactly(positive, within(1e-5f));
        assertThatThrownBy(() -> run(node("RGBToHSV"), random(7, 2, 4)))
                .isInstanceOf(GraphException.class).hasMessageContaining("3 channels");
    }

    @Test
    void contrastScalesEachChannelAroundItsImageMean() {
        Val x = random(8, 2, 3, 4, 2);
        Val y = run(node("AdjustContrastv2"), x, Val.scalar(1.5f));
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 2; c++) {
                double mean = 0;
                for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) mean += at(x, b, i, j, c) / 12.0;
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 4; j++) {
                        assertThat(at(y, b, i, j, c)).isCloseTo((float) ((at(x, b, i, j, c) - mean) * 1.5 + mean), within(1e-5f));
                    }
            }
    }
}
