package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.format.json.KerasJson;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every Keras 1 and 2 architecture among the public fixtures, written in the Keras 3 dialect, is accepted by real
 * Keras 3's {@code model_from_json}, except where Keras itself refuses on principle (listed, and must keep failing).
 * The fixtures have no reference predictions, so these are load-only cases ({@code "expect": "loads"}).
 */
class PublicJsonKeras3Test {
    /** Fixtures Keras 3 refuses for a reason of its own. */
    private static final Map<String, String> KERAS_REFUSES = Map.of(
            "yolo9000_tf_keras_2.json", "a Lambda holding Python 3.6 bytecode, which the Python of Keras 3 cannot unmarshal");

    @Test
    void keras1And2ArchitecturesLoadInKeras3() throws Exception {
        Path pub = Fixtures.publicFixtures();
        KerasOracle.requirePython();
        Keras4j keras = Keras4j.create();
        Path out = Files.createDirectories(Path.of("target", "public-json-k3").toAbsolutePath());
        List<JsonValue> cases = new ArrayList<>();
        int i = 0;
        for (Path f : Fixtures.find(pub, p -> p.toString().endsWith(".json") && CliTest.isKerasModelJson(p))) {
            Path target = out.resolve(String.format("%03d_%s", i++, f.getFileName()));
            keras.save(keras.load(f), target, "json", WriteOptions.DEFAULT.withDialect(Dialect.KERAS3));
            cases.add(JsonObject.builder().put("id", f.getFileName() + " (" + pub.relativize(f) + ")")
                    .put("loader", "keras3.model_from_json").put("path", target.toString())
                    // Load-only: these fixtures come with no reference inputs/outputs to predict.
                    .put("expect", "loads").build());
        }
        assertThat(cases).hasSizeGreaterThan(150);
        Path casesFile = out.resolve("cases.json");
        Files.writeString(casesFile, KerasJson.toText(new JsonArray(cases), true));
        Path report = KerasOracle.reverseCheck(casesFile, out.resolve("report.json"));
        List<String> failures = new ArrayList<>();
        for (JsonValue r : KerasJson.parse(Files.readString(report), report).asObject().getArray("results")) {
            String id = r.asObject().getString("id", "");
            String file = id.substring(0, id.indexOf(' '));
            boolean ok = r.asObject().getBoolean("ok", false);
            if (KERAS_REFUSES.containsKey(file)) {
                assertThat(ok).as("%s is listed as refused by Keras (%s) but now loads", file, KERAS_REFUSES.get(file)).isFalse();
            } else if (!ok) {
                failures.add(id + ": " + r.asObject().getString("error", ""));
            }
        }
        assertThat(failures).as("Keras 3 model_from_json failures").isEmpty();
    }
}
