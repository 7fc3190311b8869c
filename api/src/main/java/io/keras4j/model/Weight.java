package io.keras4j.model;

import io.keras4j.tensor.Tensor;
import java.util.Objects;

/**
 * A named variable of a layer. {@code name} is as the source stored it (for example {@code dense/kernel:0} in a
 * tf.keras file, {@code kernel} in Keras 3); {@link #shortName()} is the part Keras code refers to.
 */
public record Weight(String name, Tensor value, boolean trainable) {
    public Weight {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    public static Weight of(String name, Tensor value) { return new Weight(name, value, isTrainableName(name)); }

    /** {@code dense_1/kernel:0} gives {@code kernel}. */
    public String shortName() { return shortName(name); }

    public static String shortName(String name) {
        String n = name;
        int colon = n.lastIndexOf(':');
        if (colon > 0 && n.substring(colon + 1).chars().allMatch(Character::isDigit)) n = n.substring(0, colon);
        int slash = n.lastIndexOf('/');
        return slash >= 0 ? n.substring(slash + 1) : n;
    }

    /** Keras marks batch-norm statistics and similar running state as non-trainable. */
    public static boolean isTrainableName(String name) {
        String s = shortName(name);
        return !(s.startsWith("moving_") || s.equals("running_mean") || s.equals("running_std") || s.equals("count")
                || s.equals("seed_generator_state") || s.equals("mean") || s.equals("variance"));
    }

    public Weight withValue(Tensor newValue) { return new Weight(name, newValue, trainable); }
}
