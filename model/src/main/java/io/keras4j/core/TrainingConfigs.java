package io.keras4j.core;

import io.keras4j.json.JsonArray;
import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonNull;
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
     * The optimizer a training config names, as {@code {"class_name", "config"}} whichever the spelling (a legacy
     * {@code optimizer_config} or Keras 3's serialized {@code optimizer}); empty when it names none. Readers of
     * optimizer variables stored apart from the config (a {@code .keras}'s weights, a checkpoint) describe their
     * {@link io.keras4j.model.OptimizerState} with it.
     */
    public static JsonObject optimizerOf(JsonObject trainingConfig) {
        JsonValue optimizer = trainingConfig.get("optimizer").isObject() ? trainingConfig.get("optimizer")
                : trainingConfig.get("optimizer_config");
        if (!optimizer.isObject()) return JsonObject.EMPTY;
        return JsonObject.builder().put("class_name", optimizer.asObject().getString("class_name", ""))
                .put("config", optimizer.asObject().get("config").isObject() ? optimizer.asObject().get("config") : JsonObject.EMPTY)
                .build();
    }

    /**
     * The legacy {@code training_config} for a file of {@code dialect}, or empty when the model was not compiled
     * with an optimizer. For tf.keras, a Keras 3 optimizer config loses the arguments only Keras 3 has and is marked
     * {@code is_legacy_optimizer: false}, without which tf.keras would build its legacy optimizer and refuse them.
     */
    public static Optional<JsonObject> legacy(JsonObject config, Dialect dialect) { return legacy(config, dialect, "the model"); }

    /**
     * As {@link #legacy(JsonObject, Dialect)}. A tf.keras {@code training_config} written for Keras 3 gets its optimizer
     * as {@link #keras3} translates it: Keras 3's legacy loader silently falls back to a default optimizer (Adam at
     * 0.001) for tf.keras's {@code Custom>Adam} with arguments it does not take.
     */
    public static Optional<JsonObject> legacy(JsonObject config, Dialect dialect, String modelName) {
        if (config.get("optimizer_config").isObject()) {
            if (dialect != Dialect.KERAS3) return Optional.of(config);
            JsonObject compile = keras3(withoutLrAlias(config), modelName).orElseThrow();
            JsonObject optimizer = compile.getObject("optimizer");
            JsonObject.Builder out = JsonObject.builder();
            for (String k : SHARED_KEYS) if (config.has(k)) out.put(k, compile.has(k) ? compile.get(k) : config.get(k));
            out.put("optimizer_config", JsonObject.builder().put("class_name", optimizer.get("class_name"))
                    .put("config", optimizer.get("config")).build());
            return Optional.of(withFullLossNames(out.build()));
        }
        if (!config.get("optimizer").isObject()) return Optional.empty();
        JsonObject optimizer = config.getObject("optimizer");
        JsonObject optimizerConfig = optimizer.getObject("config");
        String className = optimizer.getString("class_name", "");
        if (dialect == Dialect.KERAS2) {
            optimizerConfig = optimizerConfig.without(KERAS3_ONLY_OPTIMIZER_ARGS).with("is_legacy_optimizer", false);
            // tf.keras 2.11+ saves its optimizers as Custom>NAME and finds the newer ones (Lion) only by that name.
            if (!className.isEmpty() && !className.startsWith("Custom>")) className = "Custom>" + className;
        }
        JsonObject.Builder out = JsonObject.builder();
        for (String k : SHARED_KEYS) if (config.has(k)) out.put(k, config.get(k));
        out.put("optimizer_config", JsonObject.builder().put("class_name", className)
                .put("config", optimizerConfig).build());
        return Optional.of(dialect == Dialect.KERAS3 ? withFullLossNames(out.build()) : out.build());
    }

    /**
     * Keras 3's {@code compile_config} for a model compiled in tf.keras (a legacy {@code training_config}), so a
     * converted file keeps its loss, metrics and optimizer: the optimizer's class without tf.keras's {@code Custom>}
     * prefix and only the arguments Keras 3's constructor takes (table dumped from Keras), {@code lr} as
     * {@code learning_rate}, metrics as the names they were compiled with. Empty when the model was not compiled with
     * an optimizer. A {@code compile_config} (Keras 3's, or tf_keras's in its own {@code .keras} archives) gets the
     * same treatment of its optimizer, so a Keras 3 one comes back unchanged but for arguments Keras 3 would refuse.
     *
     * @throws UnsupportedModelException when Keras 3 would train differently: an optimizer class Keras 3 lacks, or
     *     tf.keras's time-based {@code decay} on top of a learning-rate schedule (alone it becomes an InverseTimeDecay)
     */
    public static Optional<JsonObject> keras3(JsonObject config, String modelName) {
        // tf_keras's own .keras archives spell it as Keras 3 does, with tf.keras's optimizer arguments inside.
        String key = config.get("optimizer").isObject() ? "optimizer" : "optimizer_config";
        if (!config.get(key).isObject()) return Optional.empty();
        JsonObject optimizer = config.getObject(key);
        String className = optimizer.getString("class_name", "");
        if (className.startsWith("Custom>")) className = className.substring("Custom>".length());
        String optimizerClass = className;
        java.util.Set<String> accepted = LayerArgs.KERAS3.optimizerArgs(className).orElseThrow(() -> new UnsupportedModelException(
                "model '" + modelName + "' is compiled with optimizer " + optimizerClass + ", which Keras 3 does not have; "
                        + "its compile settings cannot be written for Keras 3"));
        JsonObject args = optimizer.get("config").isObject() ? optimizer.getObject("config") : JsonObject.EMPTY;
        if (args.has("lr") && !args.has("learning_rate")) args = args.without("lr").with("learning_rate", args.get("lr"));
        if (args.get("decay").isNumber() && args.getDouble("decay", 0) != 0) args = withInverseTimeDecay(args, optimizerClass, modelName);
        JsonObject.Builder kept = JsonObject.builder();
        for (var e : args.members().entrySet()) if (accepted.contains(e.getKey())) kept.put(e.getKey(), keras3Object(e.getValue(), "keras.optimizers.schedules"));
        JsonObject.Builder out = JsonObject.builder()
                .put("optimizer", JsonObject.builder().put("module", "keras.optimizers").put("class_name", className)
                        .put("config", kept.build()).put("registered_name", JsonNull.INSTANCE).build())
                .put("loss", keras3Loss(config.get("loss")))
                .put("loss_weights", config.get("loss_weights"))
                .put("metrics", keras3Metrics(config.get("metrics")))
                .put("weighted_metrics", keras3Metrics(config.get("weighted_metrics")));
        // How to run (run_eagerly, steps_per_execution, jit_compile) as it was; tf_keras's nulls would reach compile().
        for (String run : new String[] {"run_eagerly", "steps_per_execution", "jit_compile"}) {
            if (config.has(run) && !config.get(run).isNull()) out.put(run, config.get(run));
        }
        return Optional.of(out.build());
    }

    /**
     * tf.keras's time-based decay, {@code lr / (1 + decay * iterations)}, is Keras 3's {@code InverseTimeDecay} schedule
     * with {@code decay_steps=1} and {@code decay_rate=decay}: the same learning rate at every step.
     */
    private static JsonObject withInverseTimeDecay(JsonObject args, String optimizerClass, String modelName) {
        if (!args.get("learning_rate").isNumber()) {
            throw new UnsupportedModelException("model '" + modelName + "' is compiled with " + optimizerClass + " with both a "
                    + "learning-rate schedule and tf.keras's time-based decay, which Keras 3 cannot combine; its compile "
                    + "settings cannot be written for Keras 3");
        }
        JsonObject schedule = JsonObject.builder().put("module", "keras.optimizers.schedules").put("class_name", "InverseTimeDecay")
                .put("config", JsonObject.builder().put("initial_learning_rate", args.get("learning_rate")).put("decay_steps", 1)
                        .put("decay_rate", args.get("decay")).put("staircase", false).put("name", "InverseTimeDecay").build())
                .put("registered_name", JsonNull.INSTANCE).build();
        return args.without("decay").with("learning_rate", schedule);
    }

    /** A serialized tf.keras object ({@code {class_name, config}}) with the module Keras 3 looks it up in. */
    private static JsonValue keras3Object(JsonValue v, String module) {
        if (!v.isObject() || !v.asObject().has("class_name") || v.asObject().has("module")) return v;
        JsonObject o = v.asObject();
        return JsonObject.builder().put("module", module).put("class_name", o.get("class_name")).put("config", o.get("config"))
                .put("registered_name", JsonNull.INSTANCE).build();
    }

    private static JsonValue keras3Loss(JsonValue loss) {
        if (loss.isObject() && loss.asObject().has("class_name")) {
            JsonValue fixed = withFullLossNames(JsonObject.builder().put("loss", loss).build()).get("loss");
            return keras3Object(fixed, "keras.losses");
        }
        if (loss.isArray()) {
            JsonArray.Builder b = JsonArray.builder();
            for (JsonValue v : loss.asArray()) b.add(keras3Loss(v));
            return b.build();
        }
        if (loss.isObject()) {
            JsonObject out = loss.asObject();
            for (var e : loss.asObject().members().entrySet()) out = out.with(e.getKey(), keras3Loss(e.getValue()));
            return out;
        }
        return loss;
    }

    /**
     * tf.keras saves {@code metrics=["accuracy"]} as one list per output of {@code MeanMetricWrapper} objects named
     * as compiled; Keras 3 takes the names back. A single output's list is unwrapped, as Keras 3 writes it.
     */
    private static JsonValue keras3Metrics(JsonValue metrics) {
        if (!metrics.isArray()) return metrics;
        JsonArray list = metrics.asArray();
        if (list.size() == 1 && list.get(0).isArray()) return keras3Metrics(list.get(0));
        JsonArray.Builder b = JsonArray.builder();
        for (JsonValue m : list) {
            if (m.isArray()) b.add(keras3Metrics(m));
            else if (m.isObject() && "MeanMetricWrapper".equals(m.asObject().getString("class_name", null))
                    && m.asObject().get("config").isObject() && m.asObject().getObject("config").get("name").isString()) {
                b.add(m.asObject().getObject("config").getString("name", ""));
            } else {
                b.add(keras3Object(m, "keras.metrics"));
            }
        }
        return b.build();
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
