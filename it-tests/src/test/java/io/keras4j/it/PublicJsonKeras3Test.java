package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import io.keras4j.testing.PinnedOutcomes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every Keras 1 and 2 architecture among the public fixtures, written in the Keras 3 dialect, is accepted by real
 * Keras 3's {@code model_from_json}, except where Keras itself refuses on principle: each failure and Keras's error
 * are pinned in {@code pinned/public-json-keras3-failures.tsv} (today one, yolo9000_tf_keras_2.json: a Lambda
 * holding Python 3.6 bytecode, which the Python of Keras 3 cannot unmarshal). The fixtures have no reference
 * predictions, so these are load-only cases ({@code "expect": "loads"}).
 */
class PublicJsonKeras3Test {

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
            // Load-only cases judge the config Keras 3 is given, so a change of meaning (hard_sigmoid), which the writer
            // refuses by default and format-json's PublicJsonFixturesTest pins, is allowed here.
            keras.save(keras.load(f), target, "json", WriteOptions.DEFAULT.withDialect(Dialect.KERAS3).withAllowSemanticChange(true));
            cases.add(JsonObject.builder().put("id", f.getFileName() + " (" + pub.relativize(f) + ")")
                    .put("loader", "keras3.model_from_json").put("path", target.toString())
                    // Load-only: these fixtures come with no reference inputs/outputs to predict.
                    .put("expect", "loads").build());
        }
        assertThat(cases).hasSizeGreaterThan(150);
        Path casesFile = out.resolve("cases.json");
        Files.writeString(casesFile, KerasJson.toText(new JsonArray(cases), true));
        Path report = KerasOracle.reverseCheck(casesFile, out.resolve("report.json"));
        Map<String, String> failures = new TreeMap<>();
        List<JsonValue> results = KerasJson.parse(Files.readString(report), report).asObject().getArray("results").values();
        assertThat(results).as("one result per case").hasSameSizeAs(cases);
        for (JsonValue r : results) {
            if (!r.asObject().getBoolean("ok", false)) {
                String id = r.asObject().getString("id", "");
                failures.put(id.substring(id.indexOf('(') + 1, id.length() - 1),
                        PinnedOutcomes.reason(r.asObject().getString("error", "(no error)"), out, pub));
            }
        }
        PinnedOutcomes.assertMatches("public-json-keras3-failures", "public JSON fixtures Keras 3 model_from_json refuses", failures);
    }
}
