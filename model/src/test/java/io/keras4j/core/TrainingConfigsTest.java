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
}
