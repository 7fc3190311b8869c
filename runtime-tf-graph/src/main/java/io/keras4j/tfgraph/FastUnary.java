package io.keras4j.tfgraph;

import io.keras4j.runtime.math.FastMath;

/** Loops for the float32 activations graphs run most, each its own loop so that the JIT compiles it alone. */
final class FastUnary {
    private FastUnary() {}

    /**
     * {@code op} applied to every element, into {@code into} (which may be {@code a} itself) or a new array when it is
     * null; null when {@code op} has no dedicated loop.
     */
    static float[] apply(String op, float[] a, float[] into) {
        int n = a.length;
        float[] o;
        switch (op) {
            case "Relu", "Relu6", "Sigmoid", "Tanh", "Neg", "Square", "Exp", "Rsqrt" -> o = into != null ? into : new float[n];
            default -> { return null; }
        }
        switch (op) {
            // Comparisons are false for NaN, which therefore passes through as TensorFlow's kernels let it.
            case "Relu" -> { for (int k = 0; k < n; k++) { float v = a[k]; o[k] = v < 0 ? 0 : v; } }
            case "Relu6" -> { for (int k = 0; k < n; k++) o[k] = Math.min(Math.max(a[k], 0f), 6f); }
            case "Sigmoid" -> { for (int k = 0; k < n; k++) o[k] = (float) FastMath.sigmoid(a[k]); }
            case "Tanh" -> { for (int k = 0; k < n; k++) o[k] = (float) FastMath.tanh(a[k]); }
            case "Neg" -> { for (int k = 0; k < n; k++) o[k] = -a[k]; }
            case "Square" -> { for (int k = 0; k < n; k++) o[k] = a[k] * a[k]; }
            case "Exp" -> { for (int k = 0; k < n; k++) o[k] = (float) Math.exp(a[k]); }
            case "Rsqrt" -> { for (int k = 0; k < n; k++) o[k] = (float) (1 / Math.sqrt(a[k])); }
            default -> { return null; }
        }
        return o;
    }
}
