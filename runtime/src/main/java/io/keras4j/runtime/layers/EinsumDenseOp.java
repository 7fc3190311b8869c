package io.keras4j.runtime.layers;

import io.keras4j.json.JsonValue;
import io.keras4j.runtime.spi.CallContext;
import io.keras4j.runtime.spi.LayerSpec;
import io.keras4j.runtime.spi.Mask;
import io.keras4j.runtime.spi.NdArray;
import io.keras4j.runtime.spi.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code EinsumDense}: {@code einsum(equation, x, kernel)} plus a bias over {@code bias_axes} and an activation.
 * Evaluated by direct index iteration over output and contracted letters; an ellipsis ({@code ...}) is not supported.
 */
final class EinsumDenseOp extends UnaryArrayOp {
    private final String inputSpec;
    private final String kernelSpec;
    private final String outputSpec;
    private final long[] outputShape;
    private final String biasAxes;
    private final ActivationFunctions.Fn activation;
    private final float[] kernel;
    private final float[] bias;

    EinsumDenseOp(LayerSpec spec) {
        super(spec);
        String equation = Configs.string(spec, "equation", "").replace(" ", "");
        String[] io = equation.split("->");
        String[] operands = io.length == 2 ? io[0].split(",") : new String[0];
        if (operands.length != 2 || equation.contains(".")) throw Configs.unsupported(spec, "equation '" + equation + "'");
        this.inputSpec = operands[0];
        this.kernelSpec = operands[1];
        this.outputSpec = io[1];
        JsonValue shape = spec.config().get("output_shape");
        this.outputShape = shape.isArray() ? shape.asArray().toLongs() : new long[] {Configs.requiredInt(spec, "output_shape")};
        this.biasAxes = Configs.string(spec, "bias_axes", null);
        this.activation = ActivationFunctions.of(LayerActivation.name(spec), spec.sourceDialect());
        this.kernel = spec.floats(0);
        this.bias = biasAxes != null ? spec.floats(1) : null;
    }

    /** Size of every letter, from the input shape and the configured output shape (aligned to the output's end). */
    private Map<Character, Long> letterSizes(long[] in) {
        Map<Character, Long> sizes = new HashMap<>();
        for (int i = 0; i < inputSpec.length(); i++) sizes.put(inputSpec.charAt(i), in[i]);
        int offset = outputSpec.length() - outputShape.length;
        for (int i = 0; i < outputShape.length; i++) {
            char c = outputSpec.charAt(offset + i);
            if (!sizes.containsKey(c) || sizes.get(c) < 0) sizes.put(c, outputShape[i]);
        }
        return sizes;
    }

    /** Letters the input fixes take its sizes, where Keras's summary shows the configured None. */
    @Override
    long[] outputShape(long[] in) {
        Map<Character, Long> sizes = letterSizes(in);
        long[] out = new long[outputSpec.length()];
        for (int i = 0; i < out.length; i++) out[i] = sizes.getOrDefault(outputSpec.charAt(i), -1L);
        return out;
    }

    private int[] actualOutputShape(Map<Character, Long> sizes) {
        int[] out = new int[outputSpec.length()];
        for (int i = 0; i < out.length; i++) out[i] = Math.toIntExact(sizes.get(outputSpec.charAt(i)));
        return out;
    }

    @Override
    public List<long[]> weightShapes(List<long[]> inputShapes) {
        Map<Character, Long> sizes = letterSizes(single(inputShapes));
        long[] k = new long[kernelSpec.length()];
        for (int i = 0; i < k.length; i++) k[i] = sizes.getOrDefault(kernelSpec.charAt(i), -1L);
        List<long[]> shapes = new ArrayList<>(List.of(k));
        if (biasAxes != null) shapes.add(biasShape(sizes));
        return shapes;
    }

    /** Keras's bias spans the output letters from the first bias axis to the end, with 1 for non-bias letters. */
    private long[] biasShape(Map<Character, Long> sizes) {
        int first = outputSpec.length();
        for (char c : biasAxes.toCharArray()) first = Math.min(first, outputSpec.indexOf(c));
        long[] shape = new long[outputSpec.length() - first];
        for (int i = 0; i < shape.length; i++) {
            char c = outputSpec.charAt(first + i);
            shape[i] = biasAxes.indexOf(c) >= 0 ? sizes.get(c) : 1;
        }
        return shape;
    }

    @Override
    NdArray forward(NdArray in, CallContext ctx) {
        long[] inShape = java.util.Arrays.stream(in.shape()).asLongStream().toArray();
        Map<Character, Long> sizes = letterSizes(inShape);
        String letters = distinct(inputSpec + kernelSpec + outputSpec);
        int[] dims = new int[letters.length()];
        for (int i = 0; i < dims.length; i++) dims[i] = Math.toIntExact(sizes.get(letters.charAt(i)));
        int[] xStrides = strides(inputSpec, letters, dims), kStrides = strides(kernelSpec, letters, dims);
        int[] oStrides = strides(outputSpec, letters, dims);
        int[] outShape = actualOutputShape(sizes);
        float[] out = new float[NdArray.sizeOf(outShape)];
        float[] x = in.data();
        int[] idx = new int[dims.length];
        int total = NdArray.sizeOf(dims);
        for (int step = 0; step < total; step++) {
            int xi = 0, ki = 0, oi = 0;
            for (int l = 0; l < dims.length; l++) {
                xi += idx[l] * xStrides[l];
                ki += idx[l] * kStrides[l];
                oi += idx[l] * oStrides[l];
            }
            out[oi] += x[xi] * kernel[ki];
            for (int l = dims.length - 1; l >= 0 && ++idx[l] == dims[l]; l--) idx[l] = 0;
        }
        if (bias != null) {
            int span = bias.length;
            for (int i = 0; i < out.length; i++) out[i] += bias[i % span];
        }
        activation.applyInPlace(out, outShape[outShape.length - 1]);
        return NdArray.wrap(out, outShape);
    }

    private static String distinct(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) if (b.indexOf(String.valueOf(c)) < 0) b.append(c);
        return b.toString();
    }

    /** Row-major strides of {@code spec}'s operand, per letter of {@code letters} (0 for letters it lacks). */
    private static int[] strides(String spec, String letters, int[] dims) {
        int[] out = new int[letters.length()];
        int stride = 1;
        for (int i = spec.length() - 1; i >= 0; i--) {
            int l = letters.indexOf(spec.charAt(i));
            out[l] = stride;
            stride *= dims[l];
        }
        return out;
    }

    @Override Mask outputMask(Value in) { return null; }
}
