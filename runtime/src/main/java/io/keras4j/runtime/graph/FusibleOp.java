package io.keras4j.runtime.graph;

import io.keras4j.runtime.spi.LayerOp;

/**
 * Hooks for compile-time fusion (internal to the runtime): a producer (convolution, Dense) absorbs the op that alone
 * reads its output when that op is a per-channel affine map (inference BatchNormalization) or a clamp (ReLU,
 * ReLU6), so the consumer's pass over memory disappears and the producer applies it while its output is in registers;
 * a convolution absorbs the zero padding that alone feeds it (MobileNet's before each strided depthwise step).
 * Every method may decline with {@code null} (or -1), and then nothing is fused.
 */
public interface FusibleOp extends LayerOp {
    /** As {@code y = x * scale[ch] + shift[ch]} along {@code channelAxis} of a rank-{@code rank} input: {scale, shift}. */
    default float[][] asChannelAffine(int rank, int channelAxis) { return null; }

    /** Whether this op returns its input unchanged at inference (Dropout and its kind): a producer simply absorbs it. */
    default boolean isIdentity() { return false; }

    /** As {@code y = min(max(x, lower), upper)}: {lower, upper}. */
    default float[] asClamp() { return null; }

    /**
     * As a channels-last 2D max pooling whose windows tile the input ("valid", strides equal to the pool size):
     * {pool height, pool width}, or null.
     */
    default int[] asTilingMaxPool2D() { return null; }

    /** The axis of this op's output channels for an output of rank {@code rank}. */
    default int outputChannelAxis(int rank) { return -1; }

    /** This op followed by {@code y * scale[ch] + shift[ch]} per output channel. */
    default LayerOp thenChannelAffine(float[] scale, float[] shift) { return null; }

    /** This op followed by a clamp to {@code [lower, upper]}. */
    default LayerOp thenClamp(float lower, float upper) { return null; }

    /** This op followed by a max pooling of {@code pool} windows that tile its 2D output (see {@link #asTilingMaxPool2D}). */
    default LayerOp thenTilingMaxPool2D(int[] pool) { return null; }

    /**
     * As zero padding of a channels-last input: {before, after} per spatial axis ({@code ZeroPadding1D/2D/3D}), or
     * null.
     */
    default int[][] asZeroPadding() { return null; }

    /**
     * This op followed by {@code next}, which alone reads its output, computed rows at a time: each thread takes a
     * share of the rows through both ops (consecutive Dense layers).
     */
    default LayerOp thenRowwise(LayerOp next) { return null; }

    /** This op reading its input through zero padding of {before, after} per spatial axis: the padded copy is never made. */
    default LayerOp afterZeroPadding(int[][] pads) { return null; }
}
