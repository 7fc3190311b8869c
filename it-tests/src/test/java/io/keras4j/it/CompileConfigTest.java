package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.CompileConfig;
import io.keras4j.model.Model;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: {@code Model.compileConfig()} reads the same from every format and generation that carries compile
 * settings. Real Keras says what the zoo's trained model of each generation is compiled with (its own file of that
 * generation loaded and asked, {@code oracle/compile_settings.py}); every file of the model whose manifest says it holds
 * the architecture and the optimizer must give that optimizer class, learning rate, loss and metrics.
 */
class CompileConfigTest {
    private static final Keras4j KERAS = Keras4j.create();

    @Test
    void everyFormatOfBothGenerationsGivesTheCompileSettingsKerasLoads() throws Exception {
        Zoo zoo = Zoo.current();
        Path out = ReverseCheck.freshOutput("compile-config");
        List<Zoo.Entry> trained = zoo.entries().stream().filter(e -> e.model().equals("trained")).toList();
        assertThat(trained).extracting(Zoo.Entry::gen).as("the zoo's trained models").containsExactlyInAnyOrder("k2", "k3");

        Map<String, String> checked = new TreeMap<>();
        List<String> differences = new ArrayList<>();
        for (Zoo.Entry e : trained) {
            Path original = (e.gen().equals("k2") ? e.file("h5") : e.file("keras")).orElseThrow();
            JsonObject keras = askKeras(e.gen(), original, out.resolve(e.id() + ".json"));
            for (JsonObject file : e.files()) {
                List<String> contains = file.getArray("contains").values().stream().map(JsonValue::asText).toList();
                if (!contains.contains("architecture") || !contains.contains("optimizer")) continue;
                Path path = e.path(file.getString("path", ""));
                String where = e.id() + " " + file.getString("format", "");
                checked.put(where, path.getFileName().toString());
                Model model = KERAS.load(path);
                CompileConfig c = model.compileConfig().orElse(null);
                if (c == null) {
                    differences.add(where + ": no compile config");
                    continue;
                }
                compare(differences, where, "optimizer", c.optimizerClassName().orElse(null), keras.getString("optimizer", ""));
                compare(differences, where, "learning_rate", c.learningRate().orElse(null), keras.getDouble("learning_rate", Double.NaN));
                compare(differences, where, "loss", c.loss().asText(), keras.getString("loss", ""));
                compare(differences, where, "metrics", c.metrics(), keras.get("metrics"));
            }
        }
        System.out.println("compile config checked in " + checked);
        // Both generations' full-model formats: tf.keras .h5, .keras and SavedModel; Keras 3 .keras (zip and
        // directory) and .h5. Keras 3's SavedModel export and both checkpoints hold no compile settings.
        assertThat(checked.keySet()).containsExactly("trained-k2 h5", "trained-k2 keras", "trained-k2 savedmodel",
                "trained-k3 h5", "trained-k3 keras", "trained-k3 keras-dir");
        assertThat(differences).as("compile settings that differ from what Keras loads").isEmpty();
    }

    private static void compare(List<String> differences, String where, String what, Object ours, Object keras) {
        if (!java.util.Objects.equals(ours, keras)) differences.add(where + ": " + what + " " + ours + " where Keras has " + keras);
    }

    private static JsonObject askKeras(String gen, Path model, Path report) throws Exception {
        String log = KerasOracle.run(Fixtures.root().resolve("it-tests/src/test/resources/oracle/compile_settings.py").toString(),
                gen, model.toString(), report.toString());
        assertThat(report).as("Keras reported the compile settings of %s:%n%s", model, log).exists();
        return KerasJson.parse(Files.readString(report), report).asObject();
    }
}
