package io.keras4j.runtime.layers;

/**
 * TensorFlow's bilinear resampling along one axis ({@code half_pixel_centers}, as Keras's UpSampling2D and Resizing
 * use it): output position {@code o} samples input coordinate {@code (o + 0.5) * in / out - 0.5}, blending the two
 * neighbours {@code lower} and {@code upper} (clamped to the edges) with {@code lerp} the weight of the upper one.
 */
record BilinearSamples(int[] lower, int[] upper, float[] lerp) {
    static BilinearSamples of(int in, int out) {
        float scale = (float) in / out;
        int[] lower = new int[out], upper = new int[out];
        float[] lerp = new float[out];
        for (int i = 0; i < out; i++) {
            float at = (i + 0.5f) * scale - 0.5f;
            float floor = (float) Math.floor(at);
            lower[i] = Math.max((int) floor, 0);
            upper[i] = Math.min((int) Math.ceil(at), in - 1);
            lerp[i] = at - floor;
        }
        return new BilinearSamples(lower, upper, lerp);
    }
}
