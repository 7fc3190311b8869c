package io.keras4j.format.h5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged input gets a CorruptModelException naming the codec, never an NPE or an OutOfMemoryError. */
class BadInputTest {
    private final H5Codec codec = new H5Codec();
    @TempDir Path dir;

    private static Path mlp() {
        Path p = Fixtures.publicFixtures().resolve("dl4j-test-resources-2018/src/main/resources/modelimport/keras/"
                + "examples/mnist_mlp/mnist_mlp_tf_keras_2_weights.h5");
        assertThat(p).as("the shared public fixtures hold the mnist_mlp weights").isRegularFile();
        return p;
    }

    @Test
    void zeroByteFile() throws Exception {
        Path f = Files.createFile(dir.resolve("empty.h5"));
        assertThat(codec.probe(ProbeInput.of(f))).isEqualTo(MatchStrength.NO_MATCH);
        assertThatThrownBy(() -> codec.read(f, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("h5: the file is empty");
    }

    @Test
    void nonHdf5File() throws Exception {
        Path f = Files.writeString(dir.resolve("x.h5"), "{\"class_name\": \"Sequential\"}");
        assertThat(codec.probe(ProbeInput.of(f))).isEqualTo(MatchStrength.NO_MATCH);
        assertThatThrownBy(() -> codec.read(f, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("no HDF5 signature");
    }

    @Test
    void truncatedFile() throws Exception {
        byte[] all = Files.readAllBytes(mlp());
        Path f = Files.write(dir.resolve("cut.h5"), Arrays.copyOf(all, all.length / 3));
        assertThatThrownBy(() -> codec.read(f, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class)
                .hasMessageStartingWith("h5: ");
    }

    @Test
    void probeGradesKerasMarkersNotTheSignature() throws Exception {
        assertThat(codec.probe(ProbeInput.of(mlp()))).isEqualTo(MatchStrength.FULL);
        Path plain = dir.resolve("plain.h5");
        io.keras4j.format.h5.hdf5.H5Writer.write(io.keras4j.format.h5.hdf5.H5Group.builder()
                .child("data", io.keras4j.format.h5.hdf5.H5Dataset.of(io.keras4j.tensor.Tensor.ofFloats(new float[] {1}, 1))).build(), plain);
        assertThat(codec.probe(ProbeInput.of(plain))).isEqualTo(MatchStrength.WEAK);
    }

    /**
     * Issue #14, 5: a hard link from inside the weights back to the root ({@code model_weights/loop -> /}, written here
     * by real h5py) made the reader recurse until a StackOverflowError, after a minute of CPU. Now it is corrupt input
     * naming the path.
     */
    @Test
    void aHardLinkCycleIsReportedNotFollowed() throws Exception {
        Path looped = dir.resolve("loop.h5");
        String script = "import h5py, numpy as np, sys\n"
                + "with h5py.File(sys.argv[1], 'w') as f:\n"
                + "    g = f.create_group('model_weights')\n"
                + "    g.attrs['layer_names'] = np.array([b'dense'])\n"
                + "    d = g.create_group('dense')\n"
                + "    d.attrs['weight_names'] = np.array([b'dense/kernel:0'])\n"
                + "    d.create_dataset('dense/kernel:0', data=np.ones((2, 2), 'float32'))\n"
                + "    g['loop'] = f['/']\n";
        String log = io.keras4j.testing.KerasOracle.run("-c", script, looped.toString());
        assertThat(looped).as("h5py wrote the file:%n%s", log).isRegularFile();
        assertThatThrownBy(() -> codec.read(looped, io.keras4j.spi.ReadOptions.DEFAULT))
                .isInstanceOf(io.keras4j.CorruptModelException.class)
                .hasMessageContaining("hard link loops back").hasMessageContaining("model_weights/loop");
    }

    /**
     * Valid HDF5 (h5py walks it) with a group tree 3,000 levels deep under {@code model_weights} overflows the reader's
     * recursive walk. That is the input's doing, so {@link io.keras4j.Keras4j} reports corrupt input that says the
     * nesting is too deep, not a bug in the codec, and not a bare StackOverflowError. Read on a thread with the JVM's
     * default 1 MiB stack, so the outcome does not depend on the test JVM's -Xss; written on one with a large stack
     * (the writer recurses too).
     */
    @Test
    void aGroupTreeNestedThousandsDeepIsCorruptInputNotAStackOverflow() throws Exception {
        Path deep = dir.resolve("deep.h5");
        Throwable written = onThread(64L << 20, () -> {
            io.keras4j.format.h5.hdf5.H5Group chain = io.keras4j.format.h5.hdf5.H5Group.builder().build();
            for (int i = 0; i < 3000; i++) chain = io.keras4j.format.h5.hdf5.H5Group.builder().child("n", chain).build();
            var weights = io.keras4j.format.h5.hdf5.H5Group.builder()
                    .attribute("layer_names", io.keras4j.format.h5.hdf5.H5Attribute.strings(java.util.List.of("n"), true))
                    .child("n", chain).build();
            io.keras4j.format.h5.hdf5.H5Writer.write(io.keras4j.format.h5.hdf5.H5Group.builder().child("model_weights", weights).build(), deep);
        });
        assertThat(written).as("writing the deep file").isNull();
        io.keras4j.Keras4j keras = io.keras4j.Keras4j.with(io.keras4j.spi.CodecRegistry.builder().add(codec).build());
        assertThat(onThread(1L << 20, () -> keras.read(deep))).isExactlyInstanceOf(CorruptModelException.class)
                .hasMessageStartingWith("h5: nested too deeply to follow").hasMessageContaining(deep.toString())
                .hasCauseInstanceOf(StackOverflowError.class);
    }

    interface Step { void run() throws Exception; }

    /** What {@code step} threw (null if nothing) when run on a new thread with the given stack size. */
    private static Throwable onThread(long stackBytes, Step step) throws InterruptedException {
        Throwable[] thrown = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                step.run();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, "bad-input-test", stackBytes);
        t.start();
        t.join();
        return thrown[0];
    }
}
