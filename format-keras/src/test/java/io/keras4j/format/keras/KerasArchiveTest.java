package io.keras4j.format.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import io.keras4j.format.json.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KerasArchiveTest {
    private final KerasArchiveCodec codec = new KerasArchiveCodec();
    @TempDir Path dir;

    private static Path zoo() {
        String override = System.getProperty("keras4j.zoo", System.getenv("KERAS4J_ZOO"));
        Path z = override != null ? Path.of(override) : Path.of(System.getProperty("keras4j.shared", "../shared"), "fixtures/zoo");
        Assumptions.assumeTrue(Files.isRegularFile(z.resolve("manifest.json")), "zoo absent at " + z + ": skipping zoo test");
        return z;
    }

    @Test
    void zooArchivesAndDirectoriesReadWithKerasWeights() throws Exception {
        Path zoo = zoo();
        JsonObject manifest = KerasJson.parse(Files.readString(zoo.resolve("manifest.json")), zoo).asObject();
        int read = 0;
        for (JsonValue mv : manifest.getArray("models")) {
            JsonObject m = mv.asObject();
            Map<String, Tensor> expected = Npy.readNpz(zoo.resolve(m.getString("weights", "")));
            for (JsonValue fv : m.getArray("files")) {
                JsonObject f = fv.asObject();
                String format = f.getString("format", "");
                if (!(format.equals("keras") || format.equals("keras-dir")) || !f.getBoolean("keras_loads", false)) continue;
                Path p = zoo.resolve(f.getString("path", ""));
                assertThat(codec.probe(ProbeInput.of(p))).isEqualTo(MatchStrength.FULL);
                Model model = codec.read(p, ReadOptions.DEFAULT).model().orElseThrow();
                for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                    int slash = e.getKey().lastIndexOf('/');
                    Layer layer = find(model, e.getKey().substring(0, slash));
                    assertThat(layer).as(p + " " + e.getKey()).isNotNull();
                    assertThat(layer.weights().size()).as(p + " " + e.getKey()).isGreaterThan(Integer.parseInt(e.getKey().substring(slash + 1)));
                    Tensor actual = layer.weights().get(Integer.parseInt(e.getKey().substring(slash + 1))).value();
                    assertThat(actual.toDoubleArray()).as(p + " " + e.getKey()).isEqualTo(e.getValue().toDoubleArray());
                }
                read++;
            }
        }
        assertThat(read).isGreaterThan(10);
    }

    @Test
    void writesKerasMembersStoredAndReadsThemBack() throws Exception {
        Path zoo = zoo();
        Path source = zoo.resolve("mlp/k3/model.keras");
        Assumptions.assumeTrue(Files.isRegularFile(source), "no mlp/k3 in the zoo");
        Model model = codec.read(source, ReadOptions.DEFAULT).model().orElseThrow();
        Path out = dir.resolve("copy.keras");
        codec.write(model, out, WriteOptions.DEFAULT);
        try (ZipFile z = new ZipFile(out.toFile())) {
            assertThat(z.stream().map(ZipEntry::getName)).containsExactly("metadata.json", "config.json", "model.weights.h5");
            assertThat(z.stream().allMatch(e -> e.getMethod() == ZipEntry.STORED)).isTrue();
            String metadata = new String(z.getInputStream(z.getEntry("metadata.json")).readAllBytes());
            assertThat(metadata).matches("\\{\"keras_version\":\"3\\.15\\.1\",\"date_saved\":\"\\d{4}-\\d\\d-\\d\\d@\\d\\d:\\d\\d:\\d\\d\"}");
        }
        Model back = codec.read(out, ReadOptions.DEFAULT).model().orElseThrow();
        assertThat(back.weights()).hasSameSizeAs(model.weights());
        for (int i = 0; i < model.weights().size(); i++) {
            assertThat(back.weights().get(i).value().contentEquals(model.weights().get(i).value())).isTrue();
        }
    }

    @Test
    void refusesAZipSlipEntry() throws Exception {
        Path evil = dir.resolve("evil.keras");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(evil))) {
            z.putNextEntry(new ZipEntry("../../outside.txt"));
            z.write("x".getBytes());
            z.closeEntry();
        }
        assertThatThrownBy(() -> codec.read(evil, ReadOptions.DEFAULT))
                .isInstanceOf(CorruptModelException.class).hasMessageContaining("escapes");
    }

    @Test
    void refusesAMemberThatInflatesFarPastItsSize() throws Exception {
        Path bomb = dir.resolve("bomb.keras");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(bomb))) {
            z.putNextEntry(new ZipEntry("config.json"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) z.write(zeros); // 64 MiB of zeros deflate to ~64 KiB
            z.closeEntry();
        }
        assertThatThrownBy(() -> codec.read(bomb, ReadOptions.DEFAULT))
                .isInstanceOf(CorruptModelException.class).hasMessageContaining("zip bomb");
    }

    @Test
    void rejectsEmptyAndNonZipFiles() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.keras"));
        assertThat(codec.probe(ProbeInput.of(empty))).isEqualTo(MatchStrength.NO_MATCH);
        assertThatThrownBy(() -> codec.read(empty, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class);
        Path text = dir.resolve("x.keras");
        try (OutputStream o = Files.newOutputStream(text)) { o.write("hello".getBytes()); }
        assertThatThrownBy(() -> codec.read(text, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class);
    }

    private static Layer find(Model model, String name) {
        for (Layer l : model.layers()) {
            if (l.name().equals(name)) return l;
            if (l.nestedModel().isPresent()) {
                Layer inner = find(l.nestedModel().get(), name);
                if (inner != null) return inner;
            }
        }
        return null;
    }
}
