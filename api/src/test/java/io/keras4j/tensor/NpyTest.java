package io.keras4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir Path dir;

    @Test
    void npyRoundTripKeepsDtypeShapeAndValues() {
        Tensor t = Tensor.ofFloats(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, 2, 3);
        Path f = dir.resolve("a.npy");
        Npy.write(t, f);
        Tensor back = Npy.read(f);
        assertThat(back.contentEquals(t)).isTrue();
        assertThat(back.data()).isInstanceOf(TensorData.FileRegion.class);
    }

    @Test
    void npzRoundTripKeepsEveryArray() {
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put("dense/0", Tensor.ofFloats(new float[] {1, 2}, 2));
        arrays.put("ids", Tensor.ofLongs(new long[] {3, 4, 5}, 3));
        arrays.put("scalar", Tensor.ofInts(new int[] {9}));
        Path f = dir.resolve("w.npz");
        Npy.writeNpz(arrays, f);
        Map<String, Tensor> back = Npy.readNpz(f);
        assertThat(back.keySet()).containsExactly("dense/0", "ids", "scalar");
        arrays.forEach((k, v) -> assertThat(back.get(k).contentEquals(v)).as(k).isTrue());
    }

    @Test
    void headerClaimingMoreDataThanTheFileHasIsRefused() throws Exception {
        Path f = dir.resolve("big.npy");
        Npy.write(Tensor.ofFloats(new float[] {1, 2, 3, 4}, 4), f);
        String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        Files.write(f, text.replace("(4,)", "(8,)").getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("needs 32 bytes but only 16 follow the header").hasMessageContaining(f.toString());
    }

    @Test
    void notNpyIsRefused() throws Exception {
        Path f = dir.resolve("x.npy");
        Files.writeString(f, "hello world, not numpy");
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(CorruptModelException.class).hasMessageContaining("bad magic");
        Files.write(f, new byte[0]);
        assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(CorruptModelException.class).hasMessageContaining("too short");
    }

    @Test
    void halfFloatsConvertBothWays() {
        for (float v : new float[] {0f, 1f, -2.5f, 65504f, 6.1035156e-05f, 5.9604645e-08f}) {
            assertThat(HalfFloat.toFloat(HalfFloat.fromFloat(v))).isEqualTo(v);
        }
        assertThat(HalfFloat.fromFloat(1f)).isEqualTo((short) 0x3c00);
    }

    /** Jazzer's finding (issue #14): a '<U4' array read fine, but asking it for numbers was a NullPointerException. */
    @Test
    void aStringArrayRefusesNumericConversionWithAReason() {
        Tensor t = Tensor.ofStrings(java.util.List.of("ab".getBytes(java.nio.charset.StandardCharsets.UTF_8)), 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(t::toFloatArray).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("string tensor").hasMessageContaining("strings()");
        org.assertj.core.api.Assertions.assertThatThrownBy(t::toDoubleArray).isInstanceOf(IllegalStateException.class);
    }
}
