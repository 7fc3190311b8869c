package io.keras4j.runtime.layers;

/**
 * Where a convolution or pooling window lands along one spatial axis: output length and the padding before the
 * first element, with TensorFlow's rule for "same" (the odd pad goes after) and Keras's for "causal".
 */
record ConvGeometry(int in, int out, int kernel, int stride, int dilation, int padBefore) {

    static ConvGeometry of(int in, int kernel, int stride, int dilation, String padding) {
        int effective = (kernel - 1) * dilation + 1;
        switch (padding) {
            case "valid": return new ConvGeometry(in, Math.max(0, (in - effective) / stride + 1), kernel, stride, dilation, 0);
            case "causal": return new ConvGeometry(in, (in + stride - 1) / stride, kernel, stride, dilation, effective - 1);
            case "same": {
                int out = (in + stride - 1) / stride;
                int total = Math.max((out - 1) * stride + effective - in, 0);
                return new ConvGeometry(in, out, kernel, stride, dilation, total / 2);
            }
            default: throw new IllegalArgumentException("padding '" + padding + "'");
        }
    }

    /** Input index of window tap {@code k} for output {@code o}; may fall outside {@code [0, in)} (padding). */
    int source(int o, int k) { return o * stride - padBefore + k * dilation; }
}
