package io.keras4j.format.h5.hdf5;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.format.h5.testing.Oracle;
import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H5WriterTest {
    @TempDir Path dir;

    /** Everything the Keras layouts need: nested groups, many links, every attribute kind, empty and scalar data. */
    private static H5Group sample() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) many.add("layer_" + i);
        H5Group.Builder big = H5Group.builder();
        for (String n : many) big.child(n, H5Dataset.of(Tensor.ofInts(new int[] {n.length()})));
        H5Group inner = H5Group.builder()
                .attribute("weight_names", H5Attribute.strings(List.of("dense/kernel:0", "dense/bias:0"), true))
                .child("kernel:0", H5Dataset.of(Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)))
                .child("bias:0", H5Dataset.of(Tensor.ofFloats(new float[0], 0)))
                .child("iteration", H5Dataset.of(Tensor.ofLongs(new long[] {42})))
                .child("half", H5Dataset.of(Tensor.of(DType.FLOAT16, new long[] {2}, java.nio.ByteBuffer.wrap(new byte[] {0, 0x3c, 0, (byte) 0xc0}))))
                .build();
        return H5Group.builder()
                .attribute("keras_version", H5Attribute.string("3.15.1"))
                .attribute("model_config", H5Attribute.string("x".repeat(100_000) + "é"))
                .attribute("layer_names", H5Attribute.strings(many, false))
                .attribute("empty", H5Attribute.of(Tensor.ofDoubles(new double[0], 0)))
                .attribute("scalar", H5Attribute.of(Tensor.ofDoubles(new double[] {2.5})))
                .child("model_weights", H5Group.builder().child("dense", inner).build())
                .child("big", big.build())
                .child("empty_group", H5Group.builder().build())
                .build();
    }

    @Test
    void jhdfReadsBackWhatWasWritten() throws Exception {
        Path file = dir.resolve("t.h5");
        H5Writer.write(sample(), file);
        H5Group back = H5Reader.read(file, "h5");
        assertThat(back.attributes().keySet()).containsExactlyInAnyOrder("keras_version", "model_config", "layer_names", "empty", "scalar");
        assertThat(back.attribute("model_config").orElseThrow().asString()).hasSize(100_001).endsWith("é");
        assertThat(back.attribute("layer_names").orElseThrow().asStrings()).hasSize(300).contains("layer_299");
        assertThat(back.attribute("empty").orElseThrow().value().shape()).containsExactly(0);
        assertThat(back.findGroup("big").orElseThrow().children()).hasSize(300);
        H5Group dense = back.findGroup("model_weights/dense").orElseThrow();
        assertThat(dense.attribute("weight_names").orElseThrow().fixedLengthStrings()).isTrue();
        assertThat(dense.attribute("weight_names").orElseThrow().asStrings()).containsExactly("dense/kernel:0", "dense/bias:0");
        Tensor kernel = ((H5Dataset) dense.child("kernel:0").orElseThrow()).value();
        assertThat(kernel.shape()).containsExactly(2, 3);
        assertThat(kernel.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(((H5Dataset) dense.child("bias:0").orElseThrow()).value().shape()).containsExactly(0);
        assertThat(((H5Dataset) dense.child("iteration").orElseThrow()).value().toLongArray()).containsExactly(42);
        assertThat(((H5Dataset) dense.child("half").orElseThrow()).value().toFloatArray()).containsExactly(1f, -2f);
        assertThat(H5Signature.root(io.keras4j.spi.ProbeInput.of(file)).orElseThrow().links())
                .contains("model_weights", "big", "empty_group");
    }

    @Test
    void h5pyReadsWhatWasWritten() throws Exception {
        Oracle.requirePython();
        Path file = dir.resolve("t.h5");
        H5Writer.write(sample(), file);
        String out = Oracle.run("""
                import sys, h5py, numpy as np
                f = h5py.File(sys.argv[1], 'r')
                mw = f['model_weights/dense']
                print(f.attrs['keras_version'], len(f.attrs['model_config']), f.attrs['model_config'][-1])
                print(len(f.attrs['layer_names']), f.attrs['layer_names'][299], f.attrs['empty'].shape, f.attrs['scalar'])
                print([bytes(x) for x in mw.attrs['weight_names']], mw['kernel:0'][()].tolist(), mw['bias:0'].shape, mw['iteration'][()])
                print(mw['half'][()].tolist(), len(f['big']), f['big/layer_42'][()], list(f['empty_group']))
                f.visititems(lambda n, o: None)
                """, file.toString());
        assertThat(out.lines().toList()).containsExactly(
                "3.15.1 100001 é",
                "300 layer_299 (0,) 2.5",
                "[b'dense/kernel:0', b'dense/bias:0'] [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]] (0,) 42",
                "[1.0, -2.0] 300 8 []");
        if (Files.isExecutable(Path.of("/usr/bin/h5dump"))) {
            Process p = new ProcessBuilder("/usr/bin/h5dump", "-H", file.toString()).redirectErrorStream(true).start();
            String dump = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(dump).isZero();
        }
    }
}
