package io.keras4j.format.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.format.checkpoint.bundle.BundleReader;
import io.keras4j.format.checkpoint.bundle.TensorBundle;
import io.keras4j.core.KerasJson;
import io.keras4j.model.Model;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.testing.KerasWeights;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every checkpoint of the zoo (tf_keras 2.21 save_weights, Keras 3.15 tf.train.Checkpoint, SavedModel variables/). */
class ZooCheckpointTest {

    static Stream<Path> zooModels() throws IOException {
        Path zoo = Fixtures.zoo();
        try (Stream<Path> s = Files.list(zoo)) {
            return s.filter(Files::isDirectory).flatMap(m -> Stream.of(m.resolve("k2"), m.resolve("k3")))
                    .filter(d -> Files.isDirectory(d.resolve("ckpt"))).sorted().toList().stream();
        }
    }

    static Stream<Path> bundles() throws IOException {
        return zooModels().flatMap(d -> Stream.of(d.resolve("ckpt/ckpt"), d.resolve("savedmodel/variables/variables")))
                .filter(p -> Files.isRegularFile(TensorBundle.indexFile(p)));
    }

    @ParameterizedTest
    @MethodSource("bundles")
    void everyTensorReadsAndVerifies(Path prefix) {
        try (BundleReader r = TensorBundle.open(prefix)) {
            assertThat(r.keys()).isNotEmpty();
            for (String key : r.keys()) {
                Tensor t = r.read(key);
                assertThat(t.shape()).as(key).containsExactly(r.entry(key).shape());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("zooModels")
    void loadWeightsMatchesWhatKerasHad(Path dir) throws IOException {
        Model arch = KerasJson.readModel(Files.readString(dir.resolve("model.json")), dir.resolve("model.json"));
        Model loaded = new CheckpointCodec().loadWeights(arch, dir.resolve("ckpt"), LoadWeightsOptions.DEFAULT);
        KerasWeights.assertSameAsKeras(loaded, Npy.readNpz(dir.resolve("weights.npz")), dir.toString());
    }
}
