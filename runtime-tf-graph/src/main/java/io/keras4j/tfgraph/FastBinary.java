package io.keras4j.tfgraph;

/**
 * Loops for the float32 arithmetic graphs run most (AddV2, Sub, Mul, RealDiv, Maximum, Minimum) in the shapes they
 * come in: equal shapes, a scalar on either side, and a row repeated over leading dimensions (a bias). One loop per
 * op and case, so that the JIT compiles each alone instead of calling a shared function per element.
 */
final class FastBinary {
    private FastBinary() {}

    /** The result (in {@code into} when given), or null when this op or this broadcast has no dedicated loop. */
    static float[] apply(String op, float[] x, int[] xs, float[] y, int[] ys, int[] shape, int n, float[] into) {
        int code = switch (op) {
            case "AddV2", "Add" -> 0;
            case "Sub" -> 1;
            case "Mul" -> 2;
            case "RealDiv", "Div" -> 3;
            case "Maximum" -> 4;
            case "Minimum" -> 5;
            default -> -1;
        };
        if (code < 0) return null;
        // Writing into x itself is safe: every loop reads x[k] before it writes o[k], and never reads it again.
        float[] o = into != null ? into : new float[n];
        if (x.length == n && y.length == n) {
            switch (code) {
                case 0 -> { for (int k = 0; k < n; k++) o[k] = x[k] + y[k]; }
                case 1 -> { for (int k = 0; k < n; k++) o[k] = x[k] - y[k]; }
                case 2 -> { for (int k = 0; k < n; k++) o[k] = x[k] * y[k]; }
                case 3 -> { for (int k = 0; k < n; k++) o[k] = x[k] / y[k]; }
                case 4 -> { for (int k = 0; k < n; k++) o[k] = max(x[k], y[k]); }
                default -> { for (int k = 0; k < n; k++) o[k] = min(x[k], y[k]); }
            }
            return o;
        }
        if (x.length == n && y.length == 1) {
            float s = y[0];
            switch (code) {
                case 0 -> { for (int k = 0; k < n; k++) o[k] = x[k] + s; }
                case 1 -> { for (int k = 0; k < n; k++) o[k] = x[k] - s; }
                case 2 -> { for (int k = 0; k < n; k++) o[k] = x[k] * s; }
                case 3 -> { for (int k = 0; k < n; k++) o[k] = x[k] / s; }
                case 4 -> { for (int k = 0; k < n; k++) o[k] = max(x[k], s); }
                default -> { for (int k = 0; k < n; k++) o[k] = min(x[k], s); }
            }
            return o;
        }
        if (x.length == 1 && y.length == n) {
            float s = x[0];
            switch (code) {
                case 0 -> { for (int k = 0; k < n; k++) o[k] = s + y[k]; }
                case 1 -> { for (int k = 0; k < n; k++) o[k] = s - y[k]; }
                case 2 -> { for (int k = 0; k < n; k++) o[k] = s * y[k]; }
                case 3 -> { for (int k = 0; k < n; k++) o[k] = s / y[k]; }
                case 4 -> { for (int k = 0; k < n; k++) o[k] = max(s, y[k]); }
                default -> { for (int k = 0; k < n; k++) o[k] = min(s, y[k]); }
            }
            return o;
        }
        if (x.length == n && y.length > 0 && trailing(ys, shape)) {
            int len = y.length;
            switch (code) {
                case 0 -> { for (int base = 0; base < n; base += len) for (int k = 0; k < len; k++) o[base + k] = x[base + k] + y[k]; }
                case 1 -> { for (int base = 0; base < n; base += len) for (int k = 0; k < len; k++) o[base + k] = x[base + k] - y[k]; }
                case 2 -> { for (int base = 0; base < n; base += len) for (int k = 0; k < len; k++) o[base + k] = x[base + k] * y[k]; }
                case 3 -> { for (int base = 0; base < n; base += len) for (int k = 0; k < len; k++) o[base + k] = x[base + k] / y[k]; }
                case 4 -> { for (int base = 0; base < n; base += len) for (int k = 0; k < len; k++) o[base + k] = max(x[base + k], y[k]); }
                default -> { for (int base = 0; base < n; base += len) for (int k = 0; k < len; k++) o[base + k] = min(x[base + k], y[k]); }
            }
            return o;
        }
        return null;
    }

    /** Whether {@code small} repeats along leading dimensions only to make {@code full}. */
    private static boolean trailing(int[] small, int[] full) {
        int off = full.length - small.length;
        int k = 0;
        while (k < small.length && small[k] == 1) k++;
        for (int j = k; j < small.length; j++) if (small[j] != full[j + off]) return false;
        return true;
    }

    private static float max(float a, float b) { return a != a || b != b ? Float.NaN : Math.max(a, b); }

    private static float min(float a, float b) { return a != a || b != b ? Float.NaN : Math.min(a, b); }
}
