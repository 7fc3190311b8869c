package io.keras4j.format.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.model.KerasFile;
import io.keras4j.spi.CodecRegistry;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointCodecTest {
    private final CheckpointCodec codec = new CheckpointCodec();

    @Test
    void probeAcceptsPrefixIndexFileAndStateDirectory() throws IOException {
        Path dir = TfFixtures.dir("k2_mlp/ckpt");
        assertThat(codec.probe(ProbeInput.of(dir.resolve("ckpt")))).isEqualTo(MatchStrength.FULL);
        assertThat(codec.probe(ProbeInput.of(dir.resolve("ckpt.index")))).isEqualTo(MatchStrength.FULL);
        assertThat(codec.probe(ProbeInput.of(dir))).isEqualTo(MatchStrength.SOLID);
        assertThat(codec.probe(ProbeInput.of(dir.resolve("ckpt.data-00000-of-00001")))).isEqualTo(MatchStrength.NO_MATCH);
        assertThat(codec.probe(ProbeInput.of(TfFixtures.dir("k2_mlp").resolve("model.json")))).isEqualTo(MatchStrength.NO_MATCH);
    }

    @Test
    void registryFindsTheCodecThroughServiceLoader() {
        CodecRegistry registry = CodecRegistry.discover(getClass().getClassLoader());
        assertThat(registry.find("checkpoint")).isPresent();
        assertThat(registry.detect(TfFixtures.dir("k3_mlp/ckpt").resolve("ckpt")).codec().info().name()).isEqualTo("checkpoint");
        assertThat(registry.forTarget(Path.of("model.ckpt"), null).info().name()).isEqualTo("checkpoint");
    }

    @Test
    void readWithoutArchitectureListsKeras3LayersAndOptimizer() {
        // Keras 3 Sequential: TF saved the kernels under model/optimizer/_trainable_variables/N (first path met).
        KerasFile f = codec.read(TfFixtures.dir("k3_seq/ckpt").resolve("ckpt"), ReadOptions.DEFAULT.withWeights(false));
        assertThat(f.hasArchitecture()).isFalse();
        assertThat(f.details().getString("layout", "")).isEqualTo("keras3");
        assertThat(f.storedWeights()).extracting(KerasFile.StoredWeights::key)
                .containsExactly("model/_functional/_operations/1", "model/_functional/_operations/2", "optimizer");
        assertThat(f.storedWeights().get(0).weights()).extracting(w -> w.name())
                .containsExactly("seq/d1/kernel", "seq/d1/bias");
        assertThat(f.storedWeights().get(2).weights()).extracting(w -> w.name())
                .startsWith("adam_1/iteration", "adam_1/learning_rate", "adam_1/seq_d1_kernel_momentum");
    }

    @Test
    void readsTheStateDirectoryOfTheTf1SaverAsRawVariables() {
        KerasFile f = codec.read(TfFixtures.dir("sliced"), ReadOptions.DEFAULT);
        assertThat(f.details().getString("layout", "")).isEqualTo("tensorflow-v1");
        assertThat(f.storedWeights()).singleElement().satisfies(g -> assertThat(g.weights())
                .extracting(w -> w.name()).containsExactly("part", "plain"));
    }

    @Test
    void writesAStateFileNamingTheRelativePrefix(@TempDir Path dir) throws IOException {
        Path zooDir = Fixtures.zoo().resolve("mlp/k2");
        var model = codec.loadWeights(CheckpointWriterTest.architecture(zooDir), zooDir.resolve("ckpt"),
                io.keras4j.spi.LoadWeightsOptions.DEFAULT);
        codec.write(model, dir.resolve("out.ckpt"), io.keras4j.spi.WriteOptions.DEFAULT);
        assertThat(Files.readString(dir.resolve("checkpoint"))).contains("model_checkpoint_path: \"out.ckpt\"");
        var back = codec.loadWeights(CheckpointWriterTest.architecture(zooDir), dir, io.keras4j.spi.LoadWeightsOptions.DEFAULT);
        CheckpointWriterTest.assertSameWeights(back, model, "mlp via state file");
    }
}
