package io.keras4j.format.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import io.keras4j.core.KerasJson;
import io.keras4j.core.testing.KerasJsonFixtures;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** YAML architectures ({@code model.to_yaml()}, Keras up to 2.5): the same trees as the JSON Keras wrote. */
class YamlCodecTest {
    private final YamlCodec yaml = new YamlCodec();
    @TempDir Path dir;

    @TestFactory
    Stream<DynamicTest> everyKeras2FixtureSurvivesAYamlRoundTrip() {
        return KerasJsonFixtures.all().stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            JsonValue tree = KerasJson.parse(Files.readString(f), f);
            Model m = KerasJson.readModel(tree, f);
            if (m.dialect() == Dialect.KERAS1) return; // YAML is written in the Keras 2 or 3 dialect only
            Path y = dir.resolve(f.getFileName() + ".yaml");
            yaml.write(m, y, WriteOptions.DEFAULT.withDialect(m.dialect()));
            assertThat(yaml.probe(ProbeInput.of(y))).isEqualTo(MatchStrength.SOLID);
            Model back = yaml.read(y, ReadOptions.DEFAULT).model().orElseThrow();
            assertThat(KerasJson.toTree(back, m.dialect())).isEqualTo(tree);
        }));
    }

    @Test
    void pythonTupleTagsAreReadAsPlainListsAndNothingIsConstructed() throws Exception {
        Path f = KerasJsonFixtures.all().stream()
                .filter(p -> p.getFileName().toString().equals("mnist_mlp_tf_keras_2_config.json")).findFirst()
                .orElseGet(() -> KerasJsonFixtures.all().get(0));
        Model m = KerasJson.readModel(Files.readString(f), f);
        Path y = dir.resolve("tagged.yaml");
        yaml.write(m, y, WriteOptions.DEFAULT.withDialect(Dialect.KERAS2));
        // PyYAML, which Keras used, tags tuples; keras4j must read them as lists, never as objects.
        String tagged = Files.readString(y).replace("batch_input_shape:", "batch_input_shape: !!python/tuple");
        Files.writeString(y, tagged);
        Model back = yaml.read(y, ReadOptions.DEFAULT).model().orElseThrow();
        assertThat(tagged).contains("!!python/tuple");
        assertThat(back.layers().get(0).batchInputShape().orElseThrow()).containsExactly(m.layers().get(0).batchInputShape().orElseThrow());
    }

    /**
     * Issue #14: YAML has no closing brackets, so a copy cut at a line boundary used to load as a smaller model. Every
     * line-boundary cut of a YAML keras4j wrote must be refused as truncated; the whole file reads.
     */
    @Test
    void everyLineBoundaryCutOfAWrittenYamlIsRefusedAsTruncated() throws Exception {
        Path f = KerasJsonFixtures.all().get(0);
        Model m = KerasJson.readModel(Files.readString(f), f);
        Path y = dir.resolve("whole.yaml");
        yaml.write(m, y, WriteOptions.DEFAULT.withDialect(Dialect.KERAS2));
        String whole = Files.readString(y);
        assertThat(whole).endsWith("\n" + YamlTrees.END_MARKER + "\n");
        assertThat(yaml.read(y, ReadOptions.DEFAULT).model()).isPresent();
        JsonValue config = KerasJson.toTree(m, Dialect.KERAS2).asObject().get("config");
        int refused = 0, whole_ = 0;
        for (int at = whole.indexOf('\n'); at >= 0 && at < whole.length() - 1; at = whole.indexOf('\n', at + 1)) {
            Path cut = Files.writeString(dir.resolve("cut.yaml"), whole.substring(0, at + 1));
            try {
                Model back = yaml.read(cut, ReadOptions.DEFAULT).model().orElseThrow();
                // only a cut after the whole config (before the trailing backend line) may load, as the same model
                assertThat(KerasJson.toTree(back, Dialect.KERAS2).asObject().get("config")).as("cut after byte %d", at).isEqualTo(config);
                whole_++;
            } catch (CorruptModelException e) {
                assertThat(e).hasMessageContaining("truncated");
                refused++;
            }
        }
        assertThat(refused).isGreaterThan(10);
        assertThat(whole_).isLessThanOrEqualTo(2);
    }

    /**
     * Keras's {@code to_yaml} is PyYAML's {@code yaml.dump}, which sorts keys: {@code keras_version} follows
     * {@code config}, and that is how a whole YAML of Keras shows its end; cut before it, the file is refused.
     */
    @Test
    void aKerasYamlIsWholeWhenItsKerasVersionFollowsTheConfig() throws Exception {
        Path f = KerasJsonFixtures.all().stream().filter(p -> {
            try {
                return KerasJson.parse(Files.readString(p), p).asObject().has("keras_version");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).findFirst().orElseThrow();
        String pyyaml = YamlTrees.write(sortedKeys(KerasJson.parse(Files.readString(f), f)));
        assertThat(pyyaml).doesNotContain("\n" + YamlTrees.END_MARKER);
        Path y = Files.writeString(dir.resolve("keras.yaml"), pyyaml);
        assertThat(yaml.read(y, ReadOptions.DEFAULT).model()).isPresent();
        Path cut = Files.writeString(dir.resolve("cut.yaml"), pyyaml.substring(0, pyyaml.indexOf("\nkeras_version") + 1));
        assertThatThrownBy(() -> yaml.read(cut, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("truncated").hasMessageContaining(cut.toString());
    }

    private static JsonValue sortedKeys(JsonValue v) {
        if (v.isObject()) {
            java.util.TreeMap<String, JsonValue> sorted = new java.util.TreeMap<>();
            v.asObject().members().forEach((k, x) -> sorted.put(k, sortedKeys(x)));
            return io.keras4j.json.JsonObject.of(sorted);
        }
        if (v.isArray()) return new io.keras4j.json.JsonArray(v.asArray().values().stream().map(YamlCodecTest::sortedKeys).toList());
        return v;
    }

    @Test
    void malformedYamlSaysWhere() throws Exception {
        Path y = Files.writeString(dir.resolve("bad.yaml"), "class_name: Sequential\nconfig:\n  layers: [unclosed\n");
        assertThatThrownBy(() -> yaml.read(y, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("yaml").hasMessageContaining("line").hasMessageContaining(y.toString());
    }

    /** Issue #14, 8: SnakeYAML's default 3 MiB limit refused a 4.6 MB YAML keras4j itself wrote. */
    @org.junit.jupiter.api.Test
    void yamlLargerThanSnakeYamlsDefaultLimitReadsBack() {
        String big = "x".repeat(5 * 1024 * 1024);
        io.keras4j.json.JsonValue tree = YamlTrees.parse("class_name: Sequential\nconfig:\n  name: m\n  note: " + big + "\n", null, "yaml");
        org.assertj.core.api.Assertions.assertThat(tree.asObject().getObject("config").getString("note", "")).hasSize(big.length());
    }

    /** Issue #14, 8: invalid UTF-8 in a JSON file was reported without the place. */
    @org.junit.jupiter.api.Test
    void invalidUtf8IsReportedWithItsByteOffset(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        byte[] bytes = "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"m\u00e9\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).indexOf('\u00e9');
        bytes[at + 1] = (byte) 0x41; // the continuation byte of é replaced: the lead byte at offset 'at' is malformed
        java.nio.file.Path file = java.nio.file.Files.write(dir.resolve("bad.json"), bytes);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new JsonCodec().read(file, io.keras4j.spi.ReadOptions.DEFAULT))
                .isInstanceOf(io.keras4j.CorruptModelException.class).hasMessageContaining("byte offset " + at)
                .hasMessageContaining(file.toString());
    }
}
