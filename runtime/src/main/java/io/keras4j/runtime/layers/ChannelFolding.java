package io.keras4j.runtime.layers;

/**
 * Folds {@code y = x * scale[ch] + shift[ch]} (inference BatchNormalization) into the layer producing {@code x}:
 * Keras stores Dense and convolution kernels with the output channel as the last axis, so column {@code ch} of the
 * flattened kernel scales by {@code scale[ch]} and the bias becomes {@code bias * scale + shift}. Products are formed
 * in double and rounded once.
 */
final class ChannelFolding {
    private ChannelFolding() {}

    static float[] scaleColumns(float[] kernel, float[] scale) {
        int n = scale.length;
        float[] out = new float[kernel.length];
        for (int i = 0; i < kernel.length; i++) out[i] = (float) ((double) kernel[i] * scale[i % n]);
        return out;
    }

    static float[] shiftBias(float[] bias, float[] scale, float[] shift, int channels) {
        float[] out = new float[channels];
        for (int ch = 0; ch < channels; ch++) {
            out[ch] = (float) ((bias == null ? 0 : (double) bias[ch] * scale[ch]) + shift[ch]);
        }
        return out;
    }
}
