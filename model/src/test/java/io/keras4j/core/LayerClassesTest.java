package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.Keras4jException;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: a layer class typed wrong in Java ({@code "Densee"}) is refused when the model is written, naming the layer
 * and the closest class Keras has, unless the layer is marked custom as Keras files mark it; models read from files
 * keep their classes (Keras wrote them, so they are custom layers) and are checked only on request.
 */
class LayerClassesTest {
    private static Model built(Layer.Builder second) {
        Layer input = Layer.builder("x", "InputLayer").config(JsonObject.builder().put("name", "x")
                .put("batch_shape", JsonArray.builder().add(JsonNull.INSTANCE).add(4).build()).build()).build();
        Layer layer = second.config(JsonObject.builder().put("name", "out").put("units", 2).build())
                .addInboundNode(InboundNode.of(List.of(TensorRef.of("x")))).build();
        return Model.builder().name("built").className("Functional").dialect(Dialect.KERAS3).layers(List.of(input, layer))
                .inputs(List.of(TensorRef.of("x"))).outputs(List.of(TensorRef.of("out"))).build();
    }

    @Test
    void aMisspelledClassIsRefusedWhenWrittenNamingTheLayerAndTheClosestClass() {
        Model model = built(Layer.builder("out", "Densee"));
        for (Dialect d : new Dialect[] {Dialect.KERAS2, Dialect.KERAS3}) {
            assertThatThrownBy(() -> KerasJson.toJson(model, d)).isInstanceOf(Keras4jException.class)
                    .hasMessageContaining("layer 'out' has class 'Densee'").hasMessageContaining("closest Keras has is 'Dense'")
                    .hasMessageContaining("registeredAs(");
            assertThatThrownBy(() -> KerasJson.toConfig(model, d)).isInstanceOf(Keras4jException.class);
        }
        assertThat(LayerClasses.closest("conv2d")).isEqualTo("Conv2D");
        assertThat(LayerClasses.closest("BatchNormalisation")).isEqualTo("BatchNormalization");
    }

    @Test
    void aRegisteredCustomClassIsWrittenWithItsRegisteredName() {
        Model model = built(Layer.builder("out", "Densee").registeredAs("my_package"));
        Layer layer = model.layer("out").orElseThrow();
        assertThat(layer.className()).isEqualTo("Densee");
        assertThat(layer.customIdentity()).contains(new Layer.CustomIdentity("my_package", "Densee"));
        JsonObject entry = KerasJson.toTree(model, Dialect.KERAS3).getObject("config").getArray("layers").get(1).asObject();
        assertThat(entry.getString("registered_name", null)).isEqualTo("my_package>Densee");
        LayerClasses.requireKnown(model);
    }

    @Test
    void aModelReadFromAFileKeepsItsUnknownClassesAndIsCheckedOnRequest() {
        String json = KerasJson.toJson(built(Layer.builder("out", "Dense")), Dialect.KERAS3).replace("\"Dense\"", "\"Densee\"");
        Model read = KerasJson.fromJson(json);
        assertThat(read.layer("out").orElseThrow().className()).isEqualTo("Densee");
        assertThat(KerasJson.toJson(read, Dialect.KERAS3)).contains("\"Densee\"");
        assertThatThrownBy(() -> LayerClasses.requireKnown(read)).isInstanceOf(Keras4jException.class)
                .hasMessageContaining("layer 'out' has class 'Densee'");
    }

    @Test
    void aWrappedLayerAndANestedModelAreCheckedToo() {
        JsonObject inner = JsonObject.builder().put("class_name", "Dnese")
                .put("config", JsonObject.builder().put("name", "d").put("units", 2).build()).build();
        Model wrapped = built(Layer.builder("out", "TimeDistributed")).withLayers(List.of(
                built(Layer.builder("out", "Dense")).layers().get(0),
                Layer.builder("out", "TimeDistributed").config(JsonObject.builder().put("name", "out").put("layer", inner).build())
                        .addInboundNode(InboundNode.of(List.of(TensorRef.of("x")))).build()));
        assertThatThrownBy(() -> LayerClasses.requireKnown(wrapped)).hasMessageContaining("layer 'out''s layer has class 'Dnese'")
                .hasMessageContaining("'Dense'");
        Model outer = Model.builder().name("outer").className("Sequential").dialect(Dialect.KERAS3)
                .layers(List.of(Layer.builder("inner", "Functional").nestedModel(built(Layer.builder("out", "Densee"))).build())).build();
        assertThatThrownBy(() -> LayerClasses.requireKnown(outer)).hasMessageContaining("layer 'inner/out' has class 'Densee'");
    }
}
