package io.keras4j.core;

import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonString;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import java.util.Map;
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
            return Optional.of(dialect == Dialect.KERAS3 ? withFullLossNames(withoutLrAlias(config)) : config);
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
        return Optional.of(dialect == Dialect.KERAS3 ? withFullLossNames(out.build()) : out.build());
    }

    /**
     * Keras 3.15's legacy HDF5 loader resolves a loss named by its short alias ({@code mse}) as {@code keras.metrics.mse}
     * and fails ("not a KerasSaveable subclass"), even for a file Keras 3 saved itself; the full function names load. So a
     * Keras 3 {@code .h5} names its losses in full (a single loss, a list per output, or a map by output name), and a
     * tf.keras loss object's {@code reduction: auto}, which Keras 3 refuses, becomes the {@code sum_over_batch_size} it meant.
     */
    static JsonObject withFullLossNames(JsonObject config) {
        return config.has("loss") ? config.with("loss", fullLossNames(config.get("loss"))) : config;
    }

    private static JsonValue fullLossNames(JsonValue loss) {
        if (loss.isString()) {
            String full = LOSS_ALIASES.get(loss.asText());
            return full == null ? loss : new JsonString(full);
        }
        if (loss.isArray()) {
            JsonArray.Builder b = JsonArray.builder();
            for (JsonValue v : loss.asArray()) b.add(fullLossNames(v));
            return b.build();
        }
        if (loss.isObject() && loss.asObject().get("config").isObject()
                && "auto".equals(loss.asObject().getObject("config").getString("reduction", null))) {
            // tf.keras's Reduction.AUTO is SUM_OVER_BATCH_SIZE outside distribution strategies; Keras 3 has only the latter.
            JsonObject lossObject = loss.asObject();
            return lossObject.with("config", lossObject.getObject("config").with("reduction", "sum_over_batch_size"));
        }
        if (loss.isObject() && !loss.asObject().has("class_name")) {
            JsonObject out = loss.asObject();
            for (var e : loss.asObject().members().entrySet()) out = out.with(e.getKey(), fullLossNames(e.getValue()));
            return out;
        }
        return loss;
    }

    /** The short loss names Keras 3.15's legacy HDF5 loader cannot resolve, with the names it can (checked with Keras). */
    private static final Map<String, String> LOSS_ALIASES = Map.of(
            "mse", "mean_squared_error", "MSE", "mean_squared_error",
            "mae", "mean_absolute_error", "MAE", "mean_absolute_error",
            "mape", "mean_absolute_percentage_error", "MAPE", "mean_absolute_percentage_error",
            "msle", "mean_squared_logarithmic_error", "MSLE", "mean_squared_logarithmic_error",
            "kld", "kl_divergence", "logcosh", "log_cosh");

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
