package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import org.junit.jupiter.api.Test;

/**
 * Keras 3.15 cannot load a legacy {@code .h5} whose training_config names its loss by a short alias, even one it saved
 * itself ({@code compile(loss="mse")}, then {@code load_model}: "Could not deserialize 'keras.metrics.mse'"), while
 * {@code mean_squared_error} loads; the aliases, and the names that load, were tried in Keras 3.15.1. So a Keras 3
 * {@code .h5} spells losses in full, and a tf.keras one keeps them as they were.
 */
class TrainingConfigsTest {
    private static JsonObject config(String loss) {
        return KerasJson.parse("{\"loss\": " + loss + ", \"metrics\": [\"mse\"], \"optimizer_config\": "
                + "{\"class_name\": \"SGD\", \"config\": {\"lr\": 0.01}}}", null).asObject();
    }

    @Test
    void keras3FilesNameEveryShortLossInFull() {
        JsonObject single = TrainingConfigs.legacy(config("\"mse\""), Dialect.KERAS3).orElseThrow();
        assertThat(single.getString("loss", null)).isEqualTo("mean_squared_error");
        assertThat(single.getArray("metrics").get(0).asText()).as("metrics load by their aliases").isEqualTo("mse");
        assertThat(single.getObject("optimizer_config").getObject("config").has("learning_rate")).isTrue();

        JsonObject perOutput = TrainingConfigs.legacy(config("[\"mae\", \"logcosh\", \"binary_crossentropy\"]"), Dialect.KERAS3).orElseThrow();
        assertThat(perOutput.getArray("loss").values()).extracting(JsonValue::asText)
                .containsExactly("mean_absolute_error", "log_cosh", "binary_crossentropy");

        JsonObject byName = TrainingConfigs.legacy(config("{\"out_a\": \"kld\", \"out_b\": \"msle\"}"), Dialect.KERAS3).orElseThrow();
        assertThat(byName.getObject("loss").getString("out_a", null)).isEqualTo("kl_divergence");
        assertThat(byName.getObject("loss").getString("out_b", null)).isEqualTo("mean_squared_logarithmic_error");
    }

    @Test
    void keras3FilesReduceTfKerasAutoLossesOverTheBatch() {
        JsonObject loss = TrainingConfigs.legacy(config("{\"class_name\": \"SparseCategoricalCrossentropy\", \"config\": "
                + "{\"reduction\": \"auto\", \"name\": \"sparse_categorical_crossentropy\", \"from_logits\": true}}"),
                Dialect.KERAS3).orElseThrow().getObject("loss");
        assertThat(loss.getString("class_name", null)).isEqualTo("SparseCategoricalCrossentropy");
        assertThat(loss.getObject("config").getString("reduction", null)).isEqualTo("sum_over_batch_size");
        assertThat(loss.getObject("config").getBoolean("from_logits", false)).isTrue();
    }

    @Test
    void tfKerasFilesKeepTheLossAsWritten() {
        assertThat(TrainingConfigs.legacy(config("\"mse\""), Dialect.KERAS2).orElseThrow().getString("loss", null)).isEqualTo("mse");
    }

    @Test
    void keras3CompileConfigTakesOnlyWhatKeras3sOptimizerAcceptsAndTurnsTimeBasedDecayIntoItsSchedule() {
        // Keras 1/2.0 spelling: lr, decay; SGD in Keras 3 has neither (its constructor table is dumped from Keras 3).
        JsonObject legacy = KerasJson.parse("{\"loss\": \"mse\", \"metrics\": [[{\"class_name\": \"MeanMetricWrapper\", "
                + "\"config\": {\"name\": \"mae\", \"dtype\": \"float32\", \"fn\": \"mean_absolute_error\"}}]], "
                + "\"optimizer_config\": {\"class_name\": \"Custom>SGD\", \"config\": {\"lr\": 0.01, \"decay\": 0.0, "
                + "\"momentum\": 0.9, \"is_legacy_optimizer\": false}}}", null).asObject();
        JsonObject compile = TrainingConfigs.keras3(legacy, "m").orElseThrow();
        JsonObject optimizer = compile.getObject("optimizer");
        assertThat(optimizer.getString("class_name", null)).isEqualTo("SGD");
        assertThat(optimizer.getString("module", null)).isEqualTo("keras.optimizers");
        assertThat(optimizer.getObject("config").members().keySet()).containsExactlyInAnyOrder("learning_rate", "momentum");
        assertThat(compile.getArray("metrics").values()).extracting(JsonValue::asText).containsExactly("mae");

        JsonObject decaying = legacy.with("optimizer_config", legacy.getObject("optimizer_config").with("config",
                legacy.getObject("optimizer_config").getObject("config").with("decay", 0.01)));
        // lr / (1 + decay * iterations) is InverseTimeDecay(lr, decay_steps=1, decay_rate=decay).
        JsonObject schedule = TrainingConfigs.keras3(decaying, "m").orElseThrow().getObject("optimizer").getObject("config")
                .getObject("learning_rate");
        assertThat(schedule.getString("class_name", null)).isEqualTo("InverseTimeDecay");
        assertThat(schedule.getObject("config").getDouble("initial_learning_rate", 0)).isEqualTo(0.01);
        assertThat(schedule.getObject("config").getDouble("decay_rate", 0)).isEqualTo(0.01);
        assertThat(schedule.getObject("config").getLong("decay_steps", 0)).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainingConfigs.keras3(legacy.with("optimizer_config",
                        KerasJson.parse("{\"class_name\": \"Yogi\", \"config\": {}}", null)), "m"))
                .isInstanceOf(io.keras4j.UnsupportedModelException.class).hasMessageContaining("Yogi, which Keras 3 does not have");
    }
}
