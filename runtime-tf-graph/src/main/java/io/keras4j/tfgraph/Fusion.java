package io.keras4j.tfgraph;

import io.keras4j.runtime.math.Gemm;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * TensorFlow Grappler's remapping, for inference: a convolution or matrix product followed by a per-channel scale
 * (batch normalization's {@code x * (gamma * rsqrt(var + eps))}), a per-channel offset (its {@code beta - mean * s}, or a
 * bias) and Relu/Relu6 becomes one step: the scale is multiplied into the filter (once per filter and scale arrays,
 * which the plan's memoized steps keep the same from call to call), the offset and the activation are applied in the
 * GEMM's epilogue; the steps folded into it compute nothing. Where the values turn out not to be
 * per-channel vectors at run time, the fused step computes the chain unfused, so results never depend on the match.
 */
final class Fusion {
    private Fusion() {}

    private static final float NO_LOWER = Float.NEGATIVE_INFINITY, NO_UPPER = Float.POSITIVE_INFINITY;

    /** Filters times scales, cached by the filter's array: {@code {scale array, scaled filter}}. */
    private static final Map<float[], Object[]> SCALED = Collections.synchronizedMap(new WeakHashMap<>());

    static void fuse(Plan.Step[] steps, int[] outStep) {
        int[] readers = new int[steps.length];
        int[] lastReader = new int[steps.length];
        boolean[] otherOutputsRead = new boolean[steps.length];
        for (int k = 0; k < steps.length; k++) {
            Plan.Step s = steps[k];
            if (s.folded != null) continue;
            for (int j = 0; j < s.inStep.length; j++) {
                int p = s.inStep[j];
                if (p == Plan.ARG) continue;
                readers[p]++;
                lastReader[p] = k;
                if (s.inIdx[j] != 0) otherOutputsRead[p] = true;
            }
        }
        for (int o : outStep) if (o != Plan.ARG) readers[o] += 2;
        for (int c = 0; c < steps.length; c++) {
            Plan.Step conv = steps[c];
            if (conv.folded != null || conv.memoized || !fusible(conv)) continue;
            int scale = -1, bias = -1, clamp = -1, norm = -1, at = c;
            int[] chain = new int[3];
            int length = 0;
            while (readers[at] == 1 && !otherOutputsRead[at]) {
                int r = lastReader[at];
                Plan.Step next = steps[r];
                if (next.folded != null || next.memoized || next.inStep.length == 0 || next.inStep[0] != at || next.inIdx[0] != 0) break;
                String op = next.node.op;
                boolean sideFromVariables = next.inStep.length == 2 && next.inStep[1] != Plan.ARG
                        && (steps[next.inStep[1]].memoized || steps[next.inStep[1]].folded != null
                            || steps[next.inStep[1]].node.op.equals("ReadVariableOp"));
                boolean batchNorm = op.startsWith("FusedBatchNorm") && length == 0 && next.inStep.length == 5
                        && !next.node.b("is_training", true) && "NHWC".equals(next.node.s("data_format", "NHWC"))
                        && !otherOutputsRead[r] && allFromVariables(steps, next, 1);
                if (batchNorm) {
                    norm = r;
                    scale = r;
                    bias = r;
                } else if (op.equals("Mul") && scale < 0 && bias < 0 && clamp < 0 && sideFromVariables) scale = r;
                else if ((op.equals("AddV2") || op.equals("Add") || op.equals("BiasAdd") && "NHWC".equals(next.node.s("data_format", "NHWC")))
                        && bias < 0 && clamp < 0 && sideFromVariables) bias = r;
                else if ((op.equals("Relu") || op.equals("Relu6")) && clamp < 0) clamp = r;
                else break;
                chain[length++] = r;
                at = r;
                if (clamp >= 0) break;
            }
            if (length == 0) continue;
            // The last step of the chain becomes the fused one (by then the scale and offset it reads exist); it reads
            // the convolution's inputs, then the scale and the offset. The convolution and the other steps of the
            // chain read nothing and compute nothing.
            int extra = norm >= 0 ? 4 : (scale >= 0 ? 1 : 0) + (bias >= 0 ? 1 : 0);
            int[] inStep = java.util.Arrays.copyOf(conv.inStep, conv.inStep.length + extra);
            int[] inIdx = java.util.Arrays.copyOf(conv.inIdx, conv.inIdx.length + extra);
            int j = conv.inStep.length;
            if (norm >= 0) {
                // FusedBatchNorm's scale, offset, mean and variance.
                for (int q = 1; q <= 4; q++) { inStep[j] = steps[norm].inStep[q]; inIdx[j++] = steps[norm].inIdx[q]; }
            } else {
                if (scale >= 0) { inStep[j] = steps[scale].inStep[1]; inIdx[j++] = steps[scale].inIdx[1]; }
                if (bias >= 0) { inStep[j] = steps[bias].inStep[1]; inIdx[j] = steps[bias].inIdx[1]; }
            }
            String activation = clamp >= 0 ? steps[clamp].node.op : null;
            Plan.Step last = steps[chain[length - 1]];
            last.op = norm >= 0 ? new FusedOp(conv.node, steps[norm].node.f("epsilon", 1e-4f), activation)
                    : new FusedOp(conv.node, scale >= 0, bias >= 0, activation);
            last.inStep = inStep;
            last.inIdx = inIdx;
            for (int q = -1; q < length - 1; q++) {
                Plan.Step dead = steps[q < 0 ? c : chain[q]];
                dead.op = DEAD;
                dead.inStep = new int[0];
                dead.inIdx = new int[0];
            }
        }
    }

    /** What a step folded into a fused one runs: nothing (nobody reads its outputs any more). */
    static final Op DEAD = (n, in, e) -> new Val[0];

    private static boolean allFromVariables(Plan.Step[] steps, Plan.Step s, int from) {
        for (int j = from; j < s.inStep.length; j++) {
            int p = s.inStep[j];
            if (p == Plan.ARG) return false;
            Plan.Step ps = steps[p];
            if (!(ps.memoized || ps.folded != null || ps.node.op.equals("ReadVariableOp"))) return false;
        }
        return true;
    }

    private static boolean fusible(Plan.Step s) {
        Node n = s.node;
        return switch (n.op) {
            case "Conv2D", "DepthwiseConv2dNative" -> "NHWC".equals(n.s("data_format", "NHWC")) && s.inStep.length == 2;
            case "MatMul" -> !n.b("transpose_a", false) && !n.b("transpose_b", false);
            default -> false;
        };
    }

    /** A convolution or matrix product with its scale, offset and activation: inputs x, filter, [scale], [offset]. */
    static final class FusedOp implements Op.Simple {
        /** The convolution's node, whose attributes (strides, padding, ...) the fused step computes with. */
        final Node conv;
        final String kind;
        final boolean scaled, biased;
        final String activation;
        /** A FusedBatchNorm's epsilon when the scale and offset come from one (inputs gamma, beta, mean, variance). */
        final float epsilon;
        final boolean batchNorm;
        private volatile Object[] normCache;

        FusedOp(Node conv, float epsilon, String activation) {
            this.conv = conv;
            this.kind = conv.op;
            this.scaled = true;
            this.biased = true;
            this.activation = activation;
            this.epsilon = epsilon;
            this.batchNorm = true;
        }

        FusedOp(Node conv, boolean scaled, boolean biased, String activation) {
            this.epsilon = 0;
            this.batchNorm = false;
            this.conv = conv;
            this.kind = conv.op;
            this.scaled = scaled;
            this.biased = biased;
            this.activation = activation;
        }

        @Override public boolean pure() { return true; }

        @Override
        public Val run1(Node fusedNode, Val[] in) {
            Node n = conv;
            Val x = in[0], filter = in[1];
            Val scale, offset;
            if (batchNorm) {
                Val[] so = normScaleOffset(in[2], in[3], in[4], in[5]);
                if (so == null) return unfusedBatchNorm(n, in);
                scale = so[0];
                offset = so[1];
            } else {
                scale = scaled ? in[2] : null;
                offset = biased ? in[scaled ? 3 : 2] : null;
            }
            int channels = filter.shape.length == 0 ? -1
                    : kind.equals("DepthwiseConv2dNative") && filter.rank() == 4 ? filter.shape[2] * filter.shape[3] : filter.shape[filter.rank() - 1];
            if (!(filter.data instanceof float[]) || filter.dtype != DTypes.FLOAT || x.dtype != DTypes.FLOAT
                    || !perChannel(scale, channels) || !perChannel(offset, channels)) {
                return unfused(n, in, scale, offset);
            }
            float[] f = scale == null ? filter.f() : scaledFilter(filter.f(), scale.f(), channels);
            Val w = new Val(filter.dtype, filter.shape, f);
            float[] b = offset == null ? null : offset.size() == channels ? offset.f() : filled(offset.f()[0], channels);
            float lower = activation == null ? NO_LOWER : 0f;
            float upper = "Relu6".equals(activation) ? 6f : NO_UPPER;
            return switch (kind) {
                case "Conv2D" -> ConvOps.conv(n, x, w, 2, b, lower, upper);
                case "DepthwiseConv2dNative" -> ConvOps.depthwise(n, x, w, b, lower, upper);
                default -> matmul(x, w, b, lower, upper);
            };
        }

        /**
         * TensorFlow's inference batch norm {@code (x - mean) * (gamma * rsqrt(var + eps)) + beta} as {@code x * s + o}:
         * {@code {s, o}}, kept while the four inputs keep their arrays; null when they are not float vectors of one length.
         */
        private Val[] normScaleOffset(Val gamma, Val beta, Val mean, Val variance) {
            Object[] c = normCache;
            if (c != null && c[0] == gamma.data && c[1] == beta.data && c[2] == mean.data && c[3] == variance.data) return (Val[]) c[4];
            int len = gamma.size();
            for (Val v : new Val[] {gamma, beta, mean, variance}) {
                if (!(v.data instanceof float[]) || v.dtype != DTypes.FLOAT || v.rank() != 1 || v.size() != len) return null;
            }
            float[] sf = new float[len], off = new float[len];
            for (int k = 0; k < len; k++) {
                sf[k] = (float) (1 / Math.sqrt(variance.f()[k] + epsilon)) * gamma.f()[k];
                off[k] = beta.f()[k] - mean.f()[k] * sf[k];
            }
            Val[] so = {Val.floats(sf, len), Val.floats(off, len)};
            normCache = new Object[] {gamma.data, beta.data, mean.data, variance.data, so};
            return so;
        }

        private Val unfusedBatchNorm(Node n, Val[] in) {
            Val y = switch (kind) {
                case "Conv2D" -> ConvOps.conv(n, in[0], in[1], 2);
                case "DepthwiseConv2dNative" -> ConvOps.depthwise(n, in[0], in[1]);
                default -> MathOps.batchMatMul(in[0], in[1], false, false);
            };
            Val norm = MathOps.binary("Sub", y, in[4]);
            norm = MathOps.binary("Mul", norm, MathOps.mapFloat(MathOps.binary("AddV2", in[5], Val.scalar(epsilon)), v -> 1 / Math.sqrt(v)));
            y = MathOps.binary("AddV2", MathOps.binary("Mul", norm, in[2]), in[3]);
            if (activation != null) {
                float upper = activation.equals("Relu6") ? 6f : NO_UPPER;
                y = MathOps.mapFloat(y, v -> v != v ? v : Math.min(Math.max(v, 0), upper));
            }
            return y;
        }

        private static boolean perChannel(Val v, int channels) {
            return v == null || v.dtype == DTypes.FLOAT && v.data instanceof float[] && (v.size() == channels || v.size() == 1)
                    && (v.rank() <= 1 || trailingOnly(v.shape));
        }

        private static boolean trailingOnly(int[] shape) {
            for (int d = 0; d < shape.length - 1; d++) if (shape[d] != 1) return false;
            return true;
        }

        private Val unfused(Node n, Val[] in, Val scale, Val offset) {
            Val y = switch (kind) {
                case "Conv2D" -> ConvOps.conv(n, in[0], in[1], 2);
                case "DepthwiseConv2dNative" -> ConvOps.depthwise(n, in[0], in[1]);
                default -> MathOps.batchMatMul(in[0], in[1], false, false);
            };
            if (scale != null) y = MathOps.binary("Mul", y, scale);
            if (offset != null) y = MathOps.binary("AddV2", y, offset);
            if (activation != null) {
                float upper = activation.equals("Relu6") ? 6f : NO_UPPER;
                y = MathOps.mapFloat(y, v -> v != v ? v : Math.min(Math.max(v, 0), upper));
            }
            return y;
        }

        private static float[] filled(float v, int n) {
            float[] out = new float[n];
            java.util.Arrays.fill(out, v);
            return out;
        }

        private static float[] scaledFilter(float[] filter, float[] scale, int channels) {
            Object[] cached = SCALED.get(filter);
            if (cached != null && cached[0] == scale) return (float[]) cached[1];
            float[] out = new float[filter.length];
            for (int k = 0; k < filter.length; k++) out[k] = filter[k] * scale[scale.length == 1 ? 0 : k % channels];
            SCALED.put(filter, new Object[] {scale, out});
            return out;
        }

        private static Val matmul(Val a, Val w, float[] bias, float lower, float upper) {
            if (a.rank() != 2 || w.rank() != 2 || a.shape[1] != w.shape[0]) {
                throw new GraphException("matrix product of " + Shapes.str(a.shape) + " and " + Shapes.str(w.shape));
            }
            int m = a.shape[0], k = a.shape[1], n = w.shape[1];
            float[] c = new float[Shapes.size(new int[] {m, n})];
            Gemm.multiply(m, a.f(), 0, k, Packed.of(w.f(), k, n), bias, lower, upper, c, 0, n);
            return Val.floats(c, m, n);
        }
    }
}
