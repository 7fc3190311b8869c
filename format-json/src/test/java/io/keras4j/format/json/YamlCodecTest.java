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
