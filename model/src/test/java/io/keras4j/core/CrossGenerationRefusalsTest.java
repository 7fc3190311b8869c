package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.UnsupportedModelException;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import org.junit.jupiter.api.Test;

/**
 * Keras 3 models written for tf.keras: what tf.keras would load but compute otherwise, or not load, is refused with
 * the layer named; what it computes the same is converted (the tf.keras side is checked in real Keras by the
 * conformance table).
 */
class CrossGenerationRefusalsTest {

    private static Model keras3(String layerClass, String config) {
        return KerasJson.readModel("""
                {"module": "keras", "class_name": "Sequential", "registered_name": null, "config": {"name": "s", "layers": [
                  {"module": "keras.layers", "class_name": "InputLayer", "registered_name": null,
                   "config": {"name": "x", "batch_shape": [null, 3, 6, 6], "dtype": "float32"}},
                  {"module": "keras.layers", "class_name": "%s", "registered_name": null,
                   "config": {"name": "l", %s}}]}}""".formatted(layerClass, config), null);
    }

    @Test
    void aKeras3AliasTfKerasLacksIsRefused() {
        assertThatThrownBy(() -> Dialects.convertForWriting(keras3("GroupQueryAttention",
                "\"head_dim\": 2, \"num_query_heads\": 2, \"num_key_value_heads\": 1"), Dialect.KERAS2))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("GroupQueryAttention layer 'l' cannot be written for tf.keras");
    }

    @Test
    void channelsFirstIsRefusedWhereTfKerasHasNoDataFormatUnlessTheLayerIsTheIdentityAtInference() {
        assertThat(LayerArgs.KERAS2.takesLayerArg("CenterCrop", "data_format")).as("tf_keras's class table").isFalse();
        assertThatThrownBy(() -> Dialects.convertForWriting(keras3("CenterCrop",
                "\"height\": 2, \"width\": 2, \"data_format\": \"channels_first\""), Dialect.KERAS2))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("CenterCrop layer 'l' cannot be written for tf.keras: it is channels_first");
        Model flip = Dialects.convertForWriting(keras3("RandomFlip", "\"data_format\": \"channels_first\""), Dialect.KERAS2);
        assertThat(flip.layers().get(1).config().has("data_format")).isFalse();
    }

    @Test
    void aSpectralNormalizationIsRefusedForTfKerasWhichCannotRebuildIt() {
        assertThatThrownBy(() -> Dialects.convertForWriting(keras3("SpectralNormalization",
                "\"power_iterations\": 1, \"layer\": {\"module\": \"keras.layers\", \"class_name\": \"Dense\", "
                        + "\"registered_name\": null, \"config\": {\"name\": \"inner\", \"units\": 2}}"), Dialect.KERAS2))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("SpectralNormalization layer 'l' cannot be written for tf.keras");
    }

    @Test
    void anRnnCellConfigIsWrittenInTfKerasForm() {
        Model rnn = Dialects.convertForWriting(keras3("RNN", """
                "cell": {"module": "keras.layers", "class_name": "StackedRNNCells", "registered_name": null, "config": {
                  "name": "stack", "cells": [{"module": "keras.layers", "class_name": "SimpleRNNCell", "registered_name": null,
                    "config": {"name": "inner", "units": 2, "seed": 7,
                      "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}}}]}}
                """), Dialect.KERAS2);
        JsonObject cell = rnn.layers().get(1).config().getObject("cell");
        assertThat(cell.getString("class_name", null)).isEqualTo("StackedRNNCells");
        JsonObject inner = cell.getObject("config").getArray("cells").get(0).asObject();
        assertThat(inner.has("module")).isFalse();
        assertThat(inner.getObject("config").getString("dtype", null)).as("tf.keras's dtype spelling").isEqualTo("float32");
        assertThat(inner.getObject("config").has("seed")).as("a key tf.keras's SimpleRNNCell does not take").isFalse();
    }
}
