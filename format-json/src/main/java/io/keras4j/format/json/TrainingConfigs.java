package io.keras4j.format.json;

import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import java.util.Optional;

/**
 * Compile settings in the two spellings Keras saves them: the legacy HDF5 {@code training_config}
 * ({@code optimizer_config: {class_name, config}} beside loss and metrics) and Keras 3's {@code compile_config}
 * ({@code optimizer} as a serialized object). {@link io.keras4j.model.Model#trainingConfig()} keeps whichever the
 * source had; writers ask for the one their format needs.
 */
public final class TrainingConfigs {
    private static final String[] SHARED_KEYS = {"loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly",
            "steps_per_execution", "jit_compile"};

    private TrainingConfigs() {}

    /**
     * The legacy {@code training_config} for a file of {@code dialect}, or empty when the model was not compiled
     * with an optimizer. For tf.keras, a Keras 3 optimizer config loses the arguments only Keras 3 has and is marked
     * {@code is_legacy_optimizer: false}, without which tf.keras would build its legacy optimizer and refuse them.
     */
    public static Optional<JsonObject> legacy(JsonObject config, Dialect dialect) {
        if (config.get("optimizer_config").isObject()) {
            return Optional.of(dialect == Dialect.KERAS3 ? withoutLrAlias(config) : config);
        }
        if (!config.get("optimizer").isObject()) return Optional.empty();
        JsonObject optimizer = config.getObject("optimizer");
        JsonObject optimizerConfig = optimizer.getObject("config");
        if (dialect == Dialect.KERAS2) {
            optimizerConfig = optimizerConfig.without(KERAS3_ONLY_OPTIMIZER_ARGS).with("is_legacy_optimizer", false);
        }
        JsonObject.Builder out = JsonObject.builder();
        for (String k : SHARED_KEYS) if (config.has(k)) out.put(k, config.get(k));
        out.put("optimizer_config", JsonObject.builder().put("class_name", optimizer.getString("class_name", ""))
                .put("config", optimizerConfig).build());
        return Optional.of(out.build());
    }

    /**
     * Keras 1 spelled the learning rate {@code lr}; Keras 2 still accepted the alias but Keras 3's optimizers refuse
     * it ("Argument(s) not recognized: {'lr': ...}"), so a Keras 3 file names it {@code learning_rate}.
     */
    private static JsonObject withoutLrAlias(JsonObject config) {
        JsonObject optimizer = config.getObject("optimizer_config");
        JsonObject args = optimizer.get("config").isObject() ? optimizer.getObject("config") : null;
        if (args == null || !args.has("lr") || args.has("learning_rate")) return config;
        return config.with("optimizer_config", optimizer.with("config", args.without("lr").with("learning_rate", args.get("lr"))));
    }

    private static final String[] KERAS3_ONLY_OPTIMIZER_ARGS = {"loss_scale_factor", "gradient_accumulation_steps"};
}
