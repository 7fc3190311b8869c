package io.keras4j.format.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.spi.CodecRegistry;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedModelCodecTest {
    private final SavedModelCodec codec = new SavedModelCodec();

    private static Path mlpK2() { return Fixtures.zoo().resolve("mlp/k2/savedmodel"); }

    @Test
    void readsTheTf22SavedModelFromItsObjectGraphMetadata() {
        Path dir = Fixtures.publicFixtures().resolve("keras/keras/mixed_precision/testdata/lso_savedmodel_tf2.2");
        KerasFile file = codec.read(dir, ReadOptions.DEFAULT);
        assertThat(file.details().getString("keras_metadata", "")).startsWith("object graph");
        assertThat(file.details().getString("tensorflow_version", "")).isEqualTo("2.2.0-rc2");
        Model model = file.model().orElseThrow();
        assertThat(model.trainingConfig()).hasValueSatisfying(c -> assertThat(c.getString("loss", "")).isEqualTo("mse"));
        Layer dense = model.layer("dense").orElseThrow();
        // The kernel sits in the second of two shards; TensorFlow reports these values.
        assertThat(dense.weights().get(0).value().toFloatArray()).containsExactly(9.229685f, 10.901115f, 10.370763f, 9.757362f);
        assertThat(dense.weights()).extracting(w -> w.name()).containsExactly("sequential/dense/kernel", "sequential/dense/bias");
    }

    @Test
    void probeWantsSavedModelPbAndVariables(@TempDir Path tmp) throws IOException {
        assertThat(codec.probe(ProbeInput.of(mlpK2()))).isEqualTo(MatchStrength.FULL);
        assertThat(codec.probe(ProbeInput.of(mlpK2().resolve("saved_model.pb")))).isEqualTo(MatchStrength.NO_MATCH);
        Files.copy(mlpK2().resolve("saved_model.pb"), tmp.resolve("saved_model.pb"));
        assertThat(codec.probe(ProbeInput.of(tmp))).isEqualTo(MatchStrength.SOLID);
        assertThat(codec.probe(ProbeInput.of(mlpK2().getParent()))).isEqualTo(MatchStrength.NO_MATCH);
    }

    @Test
    void registryDetectsSavedModelsAndPicksItForDirectoryTargets() {
        CodecRegistry registry = CodecRegistry.discover(getClass().getClassLoader());
        assertThat(registry.detect(mlpK2()).codec().info().name()).isEqualTo("savedmodel");
        assertThat(registry.forTarget(Path.of("exported"), null).info().name()).isEqualTo("savedmodel");
        assertThat(registry.forTarget(Path.of("m.savedmodel"), null).info().name()).isEqualTo("savedmodel");
    }

    @Test
    void infoDetailsListTheServingSignature() {
        KerasFile file = codec.read(mlpK2(), ReadOptions.DEFAULT.withWeights(false));
        var input = file.details().getObject("signatures").getObject("serving_default").getObject("inputs").getObject("input_1");
        assertThat(input.getString("dtype", "")).isEqualTo("float32");
        assertThat(input.getArray("shape").toString()).isEqualTo("[null, 4]");
    }

    @Test
    void textSavedModelIsRefusedClearly(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("saved_model.pbtxt"), "saved_model_schema_version: 1\n");
        assertThat(codec.probe(ProbeInput.of(tmp))).isEqualTo(MatchStrength.SOLID);
        assertThatThrownBy(() -> codec.read(tmp, ReadOptions.DEFAULT)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("text SavedModels are not supported");
    }

    @Test
    void malformedSavedModelPbNamesTheFile(@TempDir Path tmp) throws IOException {
        byte[] real = Files.readAllBytes(mlpK2().resolve("saved_model.pb"));
        Files.write(tmp.resolve("saved_model.pb"), java.util.Arrays.copyOf(real, real.length / 2));
        assertThatThrownBy(() -> codec.read(tmp, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("saved_model.pb");
        Files.write(tmp.resolve("saved_model.pb"), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x01});
        assertThatThrownBy(() -> codec.read(tmp, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("not a valid saved_model.pb");
    }

    @Test
    void malformedKerasMetadataIsCorrupt(@TempDir Path tmp) throws IOException {
        copyTree(mlpK2(), tmp);
        Files.write(tmp.resolve("keras_metadata.pb"), new byte[] {0x0a, 0x7f, 0x10});
        assertThatThrownBy(() -> codec.read(tmp, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("keras_metadata.pb");
    }

    @Test
    void missingVariablesIsCorrupt(@TempDir Path tmp) throws IOException {
        Files.copy(mlpK2().resolve("saved_model.pb"), tmp.resolve("saved_model.pb"));
        Files.copy(mlpK2().resolve("keras_metadata.pb"), tmp.resolve("keras_metadata.pb"));
        assertThatThrownBy(() -> codec.read(tmp, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("declares 4 variables").hasMessageContaining("variables/variables.index is missing");
    }

    @Test
    void aFileIsNotASavedModel() {
        assertThatThrownBy(() -> codec.read(mlpK2().resolve("saved_model.pb"), ReadOptions.DEFAULT))
                .isInstanceOf(CorruptModelException.class).hasMessageContaining("is not one");
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
