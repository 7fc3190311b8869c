package io.keras4j.core;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.tensor.Tensor;
import java.util.Locale;
import java.util.Random;

/**
 * Keras's weight initializers (zeros, ones, constant, the Glorot/He/Lecun uniform and normal families, variance
 * scaling, random and truncated normal and uniform, orthogonal, identity), seeded, so a layer built or cloned in Java
 * gets weights of the distribution its config names. The random streams are not Keras's: the same seed gives the same
 * weights in keras4j, with Keras's distribution, not Keras's numbers.
 */
public final class Initializers {
    /** Keras's truncated normal keeps values within two standard deviations; this rescales to the wanted stddev. */
    private static final double TRUNCATED_STDDEV = 0.87962566103423978;

    private Initializers() {}

    /** Values of {@code shape} for an initializer config (a name such as {@code "glorot_uniform"} or {class_name, config}). */
    public static Tensor create(JsonValue initializer, long[] shape, Random random) {
        String className;
        JsonObject args;
        if (initializer.isString()) {
            className = initializer.asText();
            args = JsonObject.EMPTY;
        } else if (initializer.isObject()) {
            className = initializer.asObject().getString("class_name", "");
            args = initializer.asObject().get("config").isObject() ? initializer.asObject().getObject("config") : JsonObject.EMPTY;
        } else {
            throw new UnsupportedModelException("no initializer given: " + initializer);
        }
        int n = Math.toIntExact(Tensor.elementCount(shape));
        float[] v = new float[n];
        switch (className.replace("_", "").toLowerCase(Locale.ROOT)) {
            case "zeros", "zero" -> { }
            case "ones", "one" -> java.util.Arrays.fill(v, 1f);
            case "constant" -> java.util.Arrays.fill(v, (float) args.getDouble("value", 0));
            case "randomnormal", "normal" -> normal(v, random, args.getDouble("mean", 0), args.getDouble("stddev", 0.05), false);
            case "truncatednormal" -> normal(v, random, args.getDouble("mean", 0), args.getDouble("stddev", 0.05), true);
            case "randomuniform", "uniform" -> uniform(v, random, args.getDouble("minval", -0.05), args.getDouble("maxval", 0.05));
            case "glorotuniform" -> varianceScaling(v, shape, random, 1, "fan_avg", "uniform");
            case "glorotnormal" -> varianceScaling(v, shape, random, 1, "fan_avg", "truncated_normal");
            case "heuniform" -> varianceScaling(v, shape, random, 2, "fan_in", "uniform");
            case "henormal" -> varianceScaling(v, shape, random, 2, "fan_in", "truncated_normal");
            case "lecununiform" -> varianceScaling(v, shape, random, 1, "fan_in", "uniform");
            case "lecunnormal" -> varianceScaling(v, shape, random, 1, "fan_in", "truncated_normal");
            case "variancescaling" -> varianceScaling(v, shape, random, args.getDouble("scale", 1), args.getString("mode", "fan_in"),
                    args.getString("distribution", "truncated_normal"));
            case "identity" -> identity(v, shape, args.getDouble("gain", 1));
            case "orthogonal" -> orthogonal(v, shape, random, args.getDouble("gain", 1));
            default -> throw new UnsupportedModelException("initializer " + className + " is not one keras4j can compute");
        }
        return Tensor.ofFloats(v, shape);
    }

    /** Keras's fans: the receptive field (all but the last two axes) times the input and output channels. */
    static double[] fans(long[] shape) {
        if (shape.length == 0) return new double[] {1, 1};
        if (shape.length == 1) return new double[] {shape[0], shape[0]};
        double receptive = 1;
        for (int i = 0; i < shape.length - 2; i++) receptive *= shape[i];
        return new double[] {shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive};
    }

    private static void varianceScaling(float[] v, long[] shape, Random random, double scale, String mode, String distribution) {
        double[] fans = fans(shape);
        double fan = switch (mode) {
            case "fan_out" -> fans[1];
            case "fan_avg" -> (fans[0] + fans[1]) / 2;
            default -> fans[0];
        };
        scale /= Math.max(1, fan);
        switch (distribution) {
            case "uniform" -> {
                double limit = Math.sqrt(3 * scale);
                uniform(v, random, -limit, limit);
            }
            case "untruncated_normal", "normal" -> normal(v, random, 0, Math.sqrt(scale), false);
            default -> normal(v, random, 0, Math.sqrt(scale) / TRUNCATED_STDDEV, true);
        }
    }

    private static void normal(float[] v, Random random, double mean, double stddev, boolean truncated) {
        for (int i = 0; i < v.length; i++) {
            double g = random.nextGaussian();
            while (truncated && Math.abs(g) > 2) g = random.nextGaussian();
            v[i] = (float) (mean + stddev * g);
        }
    }

    private static void uniform(float[] v, Random random, double min, double max) {
        for (int i = 0; i < v.length; i++) v[i] = (float) (min + (max - min) * random.nextDouble());
    }

    private static void identity(float[] v, long[] shape, double gain) {
        if (shape.length != 2) throw new UnsupportedModelException("the Identity initializer takes a 2-D shape, not " + java.util.Arrays.toString(shape));
        for (long i = 0; i < Math.min(shape[0], shape[1]); i++) v[(int) (i * shape[1] + i)] = (float) gain;
    }

    /** Keras's Orthogonal: a random normal matrix (rows = all but the last axis) orthonormalised, times the gain. */
    private static void orthogonal(float[] v, long[] shape, Random random, double gain) {
        if (shape.length < 2) throw new UnsupportedModelException("the Orthogonal initializer takes 2 or more axes, not " + java.util.Arrays.toString(shape));
        int cols = (int) shape[shape.length - 1];
        int rows = v.length / cols;
        boolean transpose = rows < cols;
        int r = transpose ? cols : rows, c = transpose ? rows : cols;
        double[][] q = new double[c][r]; // c orthonormal vectors of length r (Gram-Schmidt over Gaussian columns)
        for (int j = 0; j < c; j++) {
            for (int i = 0; i < r; i++) q[j][i] = random.nextGaussian();
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < r; i++) dot += q[j][i] * q[k][i];
                for (int i = 0; i < r; i++) q[j][i] -= dot * q[k][i];
            }
            double norm = 0;
            for (int i = 0; i < r; i++) norm += q[j][i] * q[j][i];
            norm = Math.sqrt(norm);
            for (int i = 0; i < r; i++) q[j][i] /= norm;
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) v[i * cols + j] = (float) (gain * (transpose ? q[i][j] : q[j][i]));
        }
    }
}
