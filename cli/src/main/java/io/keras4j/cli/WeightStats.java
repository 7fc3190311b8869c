package io.keras4j.cli;

import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;

/** Statistics of one weight over its finite values, with the NaN and infinity counts kept apart. */
record WeightStats(double min, double max, double mean, double std, long nan, long inf, long finite) {

    /** {@code null} for a string tensor, which has no numeric value. */
    static WeightStats of(Tensor t) {
        if (t.dtype() == DType.STRING) return null;
        long n = t.elementCount();
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sumSq = 0;
        long nan = 0, inf = 0, finite = 0;
        double[] all = n <= Integer.MAX_VALUE - 8 ? t.toDoubleArray() : null;
        for (long i = 0; i < n; i++) {
            double v = all != null ? all[(int) i] : t.getDouble(i);
            if (Double.isNaN(v)) nan++;
            else if (Double.isInfinite(v)) inf++;
            else {
                finite++;
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                sumSq += v * v;
            }
        }
        if (finite == 0) return new WeightStats(Double.NaN, Double.NaN, Double.NaN, Double.NaN, nan, inf, 0);
        double mean = sum / finite;
        double std = Math.sqrt(Math.max(0, sumSq / finite - mean * mean));
        return new WeightStats(min, max, mean, std, nan, inf, finite);
    }

    static String format(double v) {
        return Double.isNaN(v) ? "-" : String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
