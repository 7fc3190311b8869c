package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.Keras4j;
import io.keras4j.Keras4jException;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: a model built in Java with a custom layer marked {@code registeredAs("keras4j_zoo")} (Keras's
 * {@code register_keras_serializable(package="keras4j_zoo")}) is written as real Keras finds the registered class: the
 * zoo's custom model rebuilt layer by layer in Java (no file entries, no provenance) is saved as {@code .keras} and as
 * both {@code .h5} dialects, and each generation of Keras, with the zoo's custom classes registered, loads it and
 * predicts the zoo's reference outputs. Unmarked, the same class is refused before anything is written.
 */
class JavaBuiltCustomLayerTest {
    private static final Keras4j KERAS = Keras4j.create();

    @Test
    void aRegisteredCustomLayerBuiltInJavaLoadsInBothGenerations() throws Exception {
        Zoo.Entry entry = Zoo.current().entries().stream().filter(e -> e.id().equals("custom-k3")).findFirst().orElseThrow();
        Model source = KERAS.load(entry.file("keras").orElseThrow());
        Model registered = rebuilt(source, true);
        Model unmarked = rebuilt(source, false);
        assertThat(registered.provenance().sourceFormat()).as("built in Java").isNull();

        Path out = ReverseCheck.freshOutput("java-built-custom");
        JsonObject base = JsonObject.builder().put("inputs", ReverseCheck.strings(entry.inputs()))
                .put("outputs", ReverseCheck.strings(entry.outputs())).put("custom", true).build();
        List<JsonObject> cases = new ArrayList<>();
        for (String[] t : new String[][] {{"model.keras", "KERAS3", "keras3.load_model"}, {"k3/model.h5", "KERAS3", "keras3.load_model"},
                {"k2/model.h5", "KERAS2", "tf_keras.load_model"}}) {
            Path target = out.resolve(t[0]);
            Files.createDirectories(target.getParent());
            WriteOptions options = WriteOptions.DEFAULT.withDialect(Dialect.valueOf(t[1]));
            KERAS.save(registered, target, null, options);
            cases.add(base.toBuilder().put("id", t[0]).put("loader", t[2]).put("path", target.toString()).build());
            Path refused = out.resolve("unmarked-" + t[0].replace('/', '-'));
            assertThatThrownBy(() -> KERAS.save(unmarked, refused, null, options)).as(t[0]).isInstanceOf(Keras4jException.class)
                    .hasMessageContaining("layer 'scale' has class 'Scale'").hasMessageContaining("registeredAs(");
            assertThat(refused).doesNotExist();
        }
        Map<String, JsonObject> results = ReverseCheck.run(cases, out);
        results.forEach((id, r) -> assertThat(r.getBoolean("ok", false)).as("%s: %s", id, r.get("error")).isTrue());
        assertThat(results).hasSize(3);
    }

    /** The model's layers as a Java user builds them: class, config, calls and weights, none of the file's entries. */
    private static Model rebuilt(Model source, boolean markCustom) {
        List<Layer> layers = new ArrayList<>();
        for (Layer l : source.layers()) {
            boolean custom = l.customIdentity().isPresent();
            Layer.Builder b = Layer.builder(l.name(), custom ? l.customIdentity().get().name() : l.className())
                    .config(l.config()).inboundNodes(l.inboundNodes()).weights(l.weights());
            if (custom && markCustom) b.registeredAs(l.customIdentity().get().packageName());
            layers.add(b.build());
        }
        assertThat(layers).as("the zoo's custom model has its custom layer").anyMatch(l -> l.className().equals("Scale"));
        return Model.builder().name(source.name()).className(source.className()).dialect(source.dialect()).layers(layers)
                .inputs(source.inputs()).outputs(source.outputs()).build();
    }
}
