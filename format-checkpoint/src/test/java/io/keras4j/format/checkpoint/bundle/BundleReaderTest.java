package io.keras4j.format.checkpoint.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.keras4j.format.checkpoint.TfFixtures;
import io.keras4j.tensor.DType;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BundleReaderTest {

    @Test
    void readsTheTwoShardTf22CheckpointOfKerasTestdata() {
        Path prefix = Fixtures.publicFixtures().resolve("keras/keras/mixed_precision/testdata/lso_ckpt_tf2.2/ckpt");
        try (BundleReader r = TensorBundle.open(prefix)) {
            assertThat(r.numShards()).isEqualTo(2);
            String kernelKey = "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE";
            BundleEntry kernel = r.entry(kernelKey);
            assertThat(kernel.dtype()).contains(DType.FLOAT32);
            assertThat(kernel.shape()).containsExactly(2, 2);
            assertThat(kernel.shardId()).isEqualTo(1);
            assertThat(kernel.offset()).isZero();
            // keras/mixed_precision/keras_test.py test_restore_old_loss_scale_checkpoint
            assertThat(r.read(kernelKey).toFloatArray())
                    .containsExactly(new float[] {9.229685f, 10.901115f, 10.370763f, 9.757362f}, within(1e-6f));
            for (String key : r.keys()) assertThat(r.read(key)).isNotNull(); // every CRC verifies
            TrackableObjectGraph g = r.objectGraph();
            int kernelNode = g.path(0, "layer_with_weights-0", "kernel").orElseThrow();
            assertThat(g.node(kernelNode).variableValue().orElseThrow().checkpointKey()).isEqualTo(kernelKey);
        }
    }

    @Test
    void readsEveryDtypeAsTensorFlowDoes() {
        Path dir = TfFixtures.dir("dtypes");
        Map<String, Tensor> expected = Npy.readNpz(dir.resolve("expected.npz"));
        try (BundleReader r = TensorBundle.open(dir.resolve("ckpt"))) {
            assertThat(expected).hasSize(14);
            for (var e : expected.entrySet()) {
                Tensor actual = r.read("h/" + e.getKey() + "/.ATTRIBUTES/VARIABLE_VALUE");
                assertThat(actual.shape()).as(e.getKey()).containsExactly(e.getValue().shape());
                assertThat(actual.toDoubleArray()).as(e.getKey()).containsExactly(e.getValue().toDoubleArray());
            }
            assertThat(r.read("h/bf16/.ATTRIBUTES/VARIABLE_VALUE").dtype()).isEqualTo(DType.BFLOAT16);
            assertThat(r.read("h/u64/.ATTRIBUTES/VARIABLE_VALUE").toLongArray()[0]).isEqualTo(-1L); // 2^64-1
            Tensor s = r.read("h/s/.ATTRIBUTES/VARIABLE_VALUE");
            assertThat(s.shape()).containsExactly(2, 2);
            List<byte[]> strings = s.strings();
            assertThat(new String(strings.get(0), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(strings.get(1)).isEmpty();
            assertThat(strings.get(2)).hasSize(200).startsWith((byte) 0, (byte) 0xff);
            assertThat(new String(strings.get(3), StandardCharsets.UTF_8)).isEqualTo("é");
        }
    }

    @Test
    void assemblesAPartitionedVariableOfTheTf1Saver() {
        Path dir = TfFixtures.dir("sliced");
        try (BundleReader r = TensorBundle.open(dir.resolve("model-7"))) {
            assertThat(r.keys()).containsExactly("part", "plain");
            assertThat(r.entry("part").slices()).hasSize(3);
            assertThat(r.hasObjectGraph()).isFalse();
            Tensor part = r.read("part");
            assertThat(part.shape()).containsExactly(10, 3);
            assertThat(part.toFloatArray()).containsExactly(Npy.read(dir.resolve("part.npy")).toFloatArray());
            assertThat(r.read("plain").toFloatArray()).containsExactly(1f, 2f, 3f, 4f);
        }
    }
}
