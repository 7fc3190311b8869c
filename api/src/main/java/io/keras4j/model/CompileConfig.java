package io.keras4j.model;

import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonNumber;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import java.util.Objects;
import java.util.Optional;

/**
 * What a model was compiled with ({@code model.compile(optimizer=, loss=, metrics=, ...)}), the same whichever format
 * and Keras generation saved it. {@link Model#trainingConfig()} keeps the JSON as the source spelled it; this is the
 * typed view computed from it ({@link #of(JsonObject)}), so it cannot disagree with the raw JSON a writer uses.
 *
 * <p>Loss, loss weights and metrics stay Keras config JSON values (a name, a serialized object, a list per output or a
 * map by output name; {@link JsonNull} when absent). Metrics are as Keras 3 records them: tf.keras's per-output lists
 * of {@code MeanMetricWrapper} objects become the names they were compiled with, and a single output's list is
 * unwrapped. The optimizer is its class name without tf.keras's {@code Custom>} prefix and its arguments under Keras 3's
 * names ({@code learning_rate}, not Keras 1's {@code lr}); other arguments are kept as saved.
 */
public final class CompileConfig {
    private final JsonValue loss;
    private final JsonValue lossWeights;
    private final JsonValue metrics;
    private final JsonValue weightedMetrics;
    private final String optimizerClassName;
    private final JsonObject optimizerConfig;

    private CompileConfig(Builder b) {
        this.loss = Objects.requireNonNullElse(b.loss, JsonNull.INSTANCE);
        this.lossWeights = Objects.requireNonNullElse(b.lossWeights, JsonNull.INSTANCE);
        this.metrics = Objects.requireNonNullElse(b.metrics, JsonNull.INSTANCE);
        this.weightedMetrics = Objects.requireNonNullElse(b.weightedMetrics, JsonNull.INSTANCE);
        this.optimizerClassName = b.optimizerClassName;
        this.optimizerConfig = Objects.requireNonNullElse(b.optimizerConfig, JsonObject.EMPTY);
        if (optimizerClassName != null && optimizerClassName.startsWith("Custom>")) {
            throw new IllegalArgumentException("optimizer class '" + optimizerClassName + "': give it without tf.keras's Custom> prefix");
        }
        if (optimizerConfig.has("lr")) {
            throw new IllegalArgumentException("optimizer config names the learning rate 'lr'; Keras 3 calls it 'learning_rate'");
        }
    }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() {
        return new Builder().loss(loss).lossWeights(lossWeights).metrics(metrics).weightedMetrics(weightedMetrics)
                .optimizer(optimizerClassName, optimizerConfig);
    }

    /**
     * The typed view of a legacy HDF5 {@code training_config} ({@code optimizer_config} beside loss and metrics) or a
     * Keras 3 {@code compile_config} ({@code optimizer} serialized as an object, or named by a string such as
     * {@code "adam"}); empty when the config names neither an optimizer nor a loss (not compiled).
     */
    public static Optional<CompileConfig> of(JsonObject trainingConfig) {
        if (trainingConfig == null) return Optional.empty();
        JsonValue optimizer = trainingConfig.get("optimizer").isNull() ? trainingConfig.get("optimizer_config")
                : trainingConfig.get("optimizer");
        if (optimizer.isNull() && trainingConfig.get("loss").isNull()) return Optional.empty();
        Builder b = builder().loss(trainingConfig.get("loss")).lossWeights(trainingConfig.get("loss_weights"))
                .metrics(keras3Metrics(trainingConfig.get("metrics")))
                .weightedMetrics(keras3Metrics(trainingConfig.get("weighted_metrics")));
        if (optimizer.isString()) {
            b.optimizer(optimizer.asText(), JsonObject.EMPTY);
        } else if (optimizer.isObject()) {
            String className = optimizer.asObject().getString("class_name", null);
            if (className != null && className.startsWith("Custom>")) className = className.substring("Custom>".length());
            JsonObject args = optimizer.asObject().get("config").asObject();
            if (args.has("lr")) {
                args = args.has("learning_rate") ? args.without("lr") : args.renamed("lr", "learning_rate");
            }
            b.optimizer(className, args);
        }
        return Optional.of(b.build());
    }

    /** tf.keras saves {@code metrics=["accuracy"]} as one list per output of {@code MeanMetricWrapper}s named as compiled. */
    private static JsonValue keras3Metrics(JsonValue metrics) {
        if (!metrics.isArray()) return metrics;
        JsonArray list = metrics.asArray();
        if (list.size() == 1 && list.get(0).isArray()) return keras3Metrics(list.get(0));
        JsonArray.Builder b = JsonArray.builder();
        for (JsonValue m : list) {
            JsonObject config = m.asObject().get("config").asObject();
            if (m.isArray()) b.add(keras3Metrics(m));
            else if ("MeanMetricWrapper".equals(m.asObject().getString("class_name", null)) && config.get("name").isString()) {
                b.add(config.get("name"));
            } else b.add(m);
        }
        return b.build();
    }

    /** {@code loss=}: a name, a serialized loss object, a list per output or a map by output name; null when absent. */
    public JsonValue loss() { return loss; }

    public JsonValue lossWeights() { return lossWeights; }

    public JsonValue metrics() { return metrics; }

    public JsonValue weightedMetrics() { return weightedMetrics; }

    /** The optimizer's class ({@code Adam}, {@code RMSprop}, a registered custom name), without {@code Custom>}. */
    public Optional<String> optimizerClassName() { return Optional.ofNullable(optimizerClassName); }

    /** The optimizer's constructor arguments under Keras 3's names; empty when it was named by a string only. */
    public JsonObject optimizerConfig() { return optimizerConfig; }

    /** The constant learning rate, when the optimizer has one (not a schedule). */
    public Optional<Double> learningRate() {
        JsonValue lr = optimizerConfig.get("learning_rate");
        return lr instanceof JsonNumber n ? Optional.of(n.doubleValue()) : Optional.empty();
    }

    @Override public boolean equals(Object o) {
        return o instanceof CompileConfig c && loss.equals(c.loss) && lossWeights.equals(c.lossWeights)
                && metrics.equals(c.metrics) && weightedMetrics.equals(c.weightedMetrics)
                && Objects.equals(optimizerClassName, c.optimizerClassName) && optimizerConfig.equals(c.optimizerConfig);
    }

    @Override public int hashCode() { return Objects.hash(loss, lossWeights, metrics, weightedMetrics, optimizerClassName, optimizerConfig); }

    @Override public String toString() {
        return "CompileConfig(optimizer=" + optimizerClassName + optimizerConfig.toJson() + ", loss=" + loss.toJson()
                + ", loss_weights=" + lossWeights.toJson() + ", metrics=" + metrics.toJson() + ", weighted_metrics="
                + weightedMetrics.toJson() + ")";
    }

    public static final class Builder {
        private JsonValue loss;
        private JsonValue lossWeights;
        private JsonValue metrics;
        private JsonValue weightedMetrics;
        private String optimizerClassName;
        private JsonObject optimizerConfig;

        public Builder loss(JsonValue loss) { this.loss = loss; return this; }

        public Builder lossWeights(JsonValue lossWeights) { this.lossWeights = lossWeights; return this; }

        public Builder metrics(JsonValue metrics) { this.metrics = metrics; return this; }

        public Builder weightedMetrics(JsonValue weightedMetrics) { this.weightedMetrics = weightedMetrics; return this; }

        public Builder optimizer(String className, JsonObject config) {
            this.optimizerClassName = className;
            this.optimizerConfig = config;
            return this;
        }

        public CompileConfig build() { return new CompileConfig(this); }
    }
}
