package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.InboundNode;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: a Functional model built in Java (layers, inbound nodes, {@code inputs()}/{@code outputs()}, no config
 * members of its own) was written with no {@code input_layers}/{@code output_layers}, which Keras needs to rebuild it.
 */
class JavaBuiltFunctionalTest {
    private static Model built(Dialect dialect) {
        Layer input = Layer.builder("x", "InputLayer")
                .config(JsonObject.builder().put("name", "x").put(dialect == Dialect.KERAS3 ? "batch_shape" : "batch_input_shape",
                        io.keras4j.json.JsonArray.builder().add(io.keras4j.json.JsonNull.INSTANCE).add(4).build()).build()).build();
        Layer dense = Layer.builder("out", "Dense").config(JsonObject.builder().put("name", "out").put("units", 2).build())
                .addInboundNode(InboundNode.of(List.of(TensorRef.of("x")))).build();
        return Model.builder().name("built").className("Functional").dialect(dialect).layers(List.of(input, dense))
                .inputs(List.of(TensorRef.of("x"))).outputs(List.of(TensorRef.of("out"))).build();
    }

    @Test
    void inputAndOutputLayersAreWrittenFromTheModelsValues() {
        for (Dialect d : new Dialect[] {Dialect.KERAS2, Dialect.KERAS3}) {
            JsonObject config = KerasJson.toTree(built(d), d).getObject("config");
            assertThat(config.get("input_layers").toString()).as("%s", d).isEqualTo("[[\"x\", 0, 0]]");
            assertThat(config.get("output_layers").toString()).as("%s", d).isEqualTo("[[\"out\", 0, 0]]");
            Model again = KerasJson.readModel(KerasJson.toTree(built(d), d), null, "again");
            assertThat(again.inputs()).containsExactly(TensorRef.of("x"));
            assertThat(again.outputs()).containsExactly(TensorRef.of("out"));
        }
    }

    /** {@code toJson}/{@code fromJson}, named after Keras's to_json/model_from_json, round-trip the architecture. */
    @Test
    void toJsonAndFromJsonRoundTrip() {
        for (Dialect d : new Dialect[] {Dialect.KERAS2, Dialect.KERAS3}) {
            String json = KerasJson.toJson(built(d), d);
            Model again = KerasJson.fromJson(json);
            assertThat(again.dialect()).isEqualTo(d);
            assertThat(again.layers()).extracting(Layer::name).containsExactly("x", "out");
            assertThat(KerasJson.toJson(again, d)).as("stable").isEqualTo(json);
        }
    }

    /** {@code toConfig}, Keras's get_config(): the top-level tree's {@code config}. */
    @Test
    void toConfigIsTheConfigOfTheJsonTree() {
        for (Dialect d : new Dialect[] {Dialect.KERAS2, Dialect.KERAS3}) {
            assertThat(KerasJson.toConfig(built(d), d)).isEqualTo(KerasJson.toTree(built(d), d).get("config"));
        }
    }
}
