package io.keras4j.core;

import io.keras4j.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The layer classes {@code keras.applications} defines for itself, in Keras 3 and tf_keras alike: ConvNeXt's
 * {@code LayerScale} and {@code StochasticDepth}, InceptionResNetV2's {@code CustomScaleLayer}. Users load these models
 * without writing code, so keras4j knows them: the runtime runs them, the SavedModel writer translates them, and a
 * conversion names the module the target generation defines them in.
 */
public final class ApplicationLayers {
    /** One of the application-defined classes. */
    public enum Kind {
        /** {@code x * gamma}, gamma of shape {@code (projection_dim,)}. */
        LAYER_SCALE("LayerScale", "convnext", Set.of("init_values", "projection_dim")),
        /** Drops residual paths when training; the identity at inference. */
        STOCHASTIC_DEPTH("StochasticDepth", "convnext", Set.of("drop_path_rate")),
        /** {@code inputs[0] + inputs[1] * scale}. */
        CUSTOM_SCALE("CustomScaleLayer", "inception_resnet_v2", Set.of("scale"));

        private final String className;
        private final String family;
        private final Set<String> keys;

        Kind(String className, String family, Set<String> keys) {
            this.className = className;
            this.family = family;
            this.keys = keys;
        }

        public String className() { return className; }

        /** The module Keras 3 defines the class in, as its {@code .keras} config names it. */
        public String keras3Module() { return "keras.src.applications." + family; }

        /** The module tf_keras defines the class in. */
        public String tfKerasModule() { return "tf_keras.src.applications." + family; }

        /**
         * The name Keras 3 registers the class under (its class name), and tf_keras's: tf_keras registers only
         * {@code CustomScaleLayer}, as {@code Custom>CustomScaleLayer}.
         */
        public String registeredName(boolean keras3) {
            return !keras3 && this == CUSTOM_SCALE ? "Custom>" + className : className;
        }
    }

    private static final Map<String, Kind> BY_NAME = Map.of(
            Kind.LAYER_SCALE.className, Kind.LAYER_SCALE,
            Kind.STOCHASTIC_DEPTH.className, Kind.STOCHASTIC_DEPTH,
            Kind.CUSTOM_SCALE.className, Kind.CUSTOM_SCALE);

    /** Keys every layer's config has, whatever its class. */
    private static final Set<String> BASE_KEYS = Set.of("name", "trainable", "dtype", "batch_input_shape", "batch_shape", "dynamic");

    private ApplicationLayers() {}

    /**
     * Which application class a layer is. These class names are common in users' own code too (a CaiT's LayerScale),
     * so a layer is one only when its module is the application's ({@code keras.src.applications.convnext},
     * {@code tf_keras.src.applications.convnext}, ...) or, where the file keeps no module (legacy .h5), when its config
     * has exactly the application's keys; a user's class of the same name stays the user's.
     *
     * @param className the class name as the file spells it ({@code Custom>CustomScaleLayer} included)
     * @param module the module the file names, if any
     * @param config the layer's config
     * @return the application class, or empty
     */
    public static Optional<Kind> identify(String className, Optional<String> module, JsonObject config) {
        String name = className.indexOf('>') >= 0 ? className.substring(className.indexOf('>') + 1) : className;
        Kind kind = BY_NAME.get(name);
        if (kind == null) return Optional.empty();
        Optional<String> named = module.filter(m -> !m.isEmpty());
        if (named.isPresent()) return named.get().endsWith(".applications." + kind.family) ? Optional.of(kind) : Optional.empty();
        Set<String> own = new HashSet<>(config.keys());
        own.removeAll(BASE_KEYS);
        return own.equals(kind.keys) ? Optional.of(kind) : Optional.empty();
    }
}
