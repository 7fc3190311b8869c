package io.keras4j.format.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import io.keras4j.format.h5.testing.Zoo;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.TensorData;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KerasArchiveTest {
    private final KerasArchiveCodec codec = new KerasArchiveCodec();
    @TempDir Path dir;

    @Test
    void zooArchivesAndDirectoriesReadWithKerasWeights() throws Exception {
        Zoo zoo = Zoo.require();
        int read = 0;
        for (JsonObject m : zoo.models()) {
            for (String format : List.of("keras", "keras-dir")) {
                for (Path p : zoo.files(m, format)) {
                    assertThat(codec.probe(ProbeInput.of(p))).as(p.toString()).isEqualTo(MatchStrength.FULL);
                    Zoo.assertWeightsEqual(codec.read(p, ReadOptions.DEFAULT).model().orElseThrow(), zoo.weights(m), p.toString());
                    read++;
                }
            }
        }
        assertThat(read).isGreaterThan(10);
    }

    @Test
    void storedWeightsAreReadInPlaceAsRegionsOfTheArchive() throws Exception {
        Zoo zoo = Zoo.require();
        int archives = 0;
        for (JsonObject m : zoo.models()) {
            if (!m.getString("gen", "").equals("k3")) continue;
            for (Path p : zoo.files(m, "keras")) {
                Model model = codec.read(p, ReadOptions.DEFAULT).model().orElseThrow();
                assertThat(model.weights()).as(p.toString()).isNotEmpty();
                for (Weight w : model.weights()) {
                    if (w.value().data().size() == 0) continue;
                    assertThat(w.value().data()).as("%s: %s", p, w.name()).isInstanceOf(TensorData.FileRegion.class);
                    assertThat(((TensorData.FileRegion) w.value().data()).file()).as("%s: %s", p, w.name()).isEqualTo(p);
                }
                Zoo.assertWeightsEqual(model, zoo.weights(m), p.toString());
                archives++;
            }
        }
        assertThat(archives).isGreaterThan(5);
    }

    /**
     * Deflated members are streamed: texts read, weights extracted to memory. java.util.zip.ZipFile never checks a
     * member's CRC-32 and Keras's zipfile does ("Bad CRC-32"), so the streamed check must; a wrong CRC recorded in the
     * central directory stands for any damaged member.
     */
    @Test
    void deflatedWeightsAreUnpackedToMemoryAndABadCrcOfAnyMemberIsRefused() throws IOException {
        Zoo zoo = Zoo.require();
        JsonObject mlp = zoo.models().stream().filter(m -> Zoo.id(m).equals("mlp-k3")).findFirst().orElseThrow();
        Path deflated = deflate(zoo.files(mlp, "keras").get(0), dir.resolve("deflated.keras"));
        Model model = codec.read(deflated, ReadOptions.DEFAULT).model().orElseThrow();
        assertThat(model.weights()).allSatisfy(w -> assertThat(w.value().data()).isInstanceOf(TensorData.Heap.class));
        Zoo.assertWeightsEqual(model, zoo.weights(mlp), deflated.toString());
        for (String member : new String[] {"config.json", "metadata.json", "model.weights.h5"}) {
            Path bad = Files.copy(deflated, dir.resolve(member + ".keras"));
            corruptCentralCrc(bad, member);
            assertThatThrownBy(() -> codec.read(bad, ReadOptions.DEFAULT)).as(member).isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("bad CRC-32 for member " + member).hasMessageContaining(bad.toString());
        }
    }

    @Test
    void refusesAStoredMemberWhoseSizesDisagree() throws Exception {
        Path source = Zoo.require().dir().resolve("mlp/k3/model.keras");
        assertThat(source).as("the committed zoo always holds mlp/k3").isRegularFile();
        byte[] zip = Files.readAllBytes(source);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = "model.weights.h5".getBytes(StandardCharsets.US_ASCII);
        int entry = -1;
        for (int at = 0; at + 46 + name.length <= zip.length; at++) {
            if (b.getInt(at) == 0x02014b50 && b.getShort(at + 28) == name.length
                    && Arrays.equals(Arrays.copyOfRange(zip, at + 46, at + 46 + name.length), name)) entry = at;
        }
        assertThat(entry).as("central entry of model.weights.h5").isPositive();
        b.putInt(entry + 24, b.getInt(entry + 24) + 1); // uncompressed size one past the stored size
        Path lying = Files.write(dir.resolve("lying.keras"), zip);
        assertThatThrownBy(() -> codec.read(lying, ReadOptions.DEFAULT))
                .isInstanceOf(CorruptModelException.class).hasMessageContaining("model.weights.h5").hasMessageContaining("stored member");
    }

    @Test
    void writesKerasMembersStoredAndReadsThemBack() throws Exception {
        Path source = Zoo.require().dir().resolve("mlp/k3/model.keras");
        assertThat(source).as("the committed zoo always holds mlp/k3").isRegularFile();
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

    /** {@code keras.zipped=false}: Keras's {@code save(zipped=False)} directory, the same three members as files. */
    @Test
    void writesTheDirectoryFormWithKerasWeightsAndNeverReplacesOne() throws Exception {
        Zoo zoo = Zoo.require();
        JsonObject entry = zoo.models().stream().filter(m -> Zoo.id(m).equals("cnn-k3")).findFirst().orElseThrow();
        Model model = codec.read(zoo.dir().resolve("cnn/k3/model.keras"), ReadOptions.DEFAULT).model().orElseThrow();
        Path out = dir.resolve("cnn_dir");
        WriteOptions directory = WriteOptions.DEFAULT.withProperty("keras.zipped", "false");
        codec.write(model, out, directory);
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("metadata.json", "config.json", "model.weights.h5");
        }
        assertThat(codec.probe(ProbeInput.of(out))).isEqualTo(MatchStrength.FULL);
        Zoo.assertWeightsEqual(codec.read(out, ReadOptions.DEFAULT).model().orElseThrow(), zoo.weights(entry), out.toString());
        try (var siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).as("no work folder left behind").containsExactly("cnn_dir");
        }

        assertThatThrownBy(() -> codec.write(model, out, directory)).isInstanceOf(io.keras4j.UnsupportedModelException.class)
                .hasMessageContaining("will not replace the directory").hasMessageContaining(out.toString());
        Path misspelt = dir.resolve("misspelt.keras");
        assertThatThrownBy(() -> codec.write(model, misspelt, WriteOptions.DEFAULT.withProperty("keras.zipped", "no")))
                .isInstanceOf(io.keras4j.InvalidOptionException.class).hasMessageContaining("keras.zipped").hasMessageContaining("'no'");
        assertThat(misspelt).doesNotExist();
        try (var siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("cnn_dir");
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

    /** Issue #14's campaign: a flipped bit in the weights member's name used to load a model with no weights. */
    @Test
    void refusesAnArchiveWithoutItsWeightsMemberAsKerasDoes() throws Exception {
        Zoo zoo = Zoo.require();
        JsonObject mlp = zoo.models().stream().filter(m -> Zoo.id(m).equals("mlp-k3")).findFirst().orElseThrow();
        Path noWeights = dir.resolve("no-weights.keras");
        try (ZipFile in = new ZipFile(zoo.files(mlp, "keras").get(0).toFile()); ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(noWeights))) {
            for (String member : new String[] {"metadata.json", "config.json"}) {
                z.putNextEntry(new ZipEntry(member));
                z.write(in.getInputStream(in.getEntry(member)).readAllBytes());
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry("model.weights.i5"));
            z.write(in.getInputStream(in.getEntry("model.weights.h5")).readAllBytes());
            z.closeEntry();
        }
        assertThatThrownBy(() -> codec.read(noWeights, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("has no model.weights.h5").hasMessageContaining(noWeights.toString());
    }

    /** Issue #14's campaign: a NUL in a member name escaped as InvalidPathException ("codec bug"). */
    @Test
    void refusesAMemberNameHoldingANul() throws Exception {
        Path nul = dir.resolve("nul.keras");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(nul))) {
            z.putNextEntry(new ZipEntry("config\0.json"));
            z.write("{}".getBytes());
            z.closeEntry();
        }
        assertThatThrownBy(() -> codec.read(nul, ReadOptions.DEFAULT)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("NUL");
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

    private static Path deflate(Path stored, Path out) throws IOException {
        try (ZipFile in = new ZipFile(stored.toFile()); OutputStream os = Files.newOutputStream(out);
             ZipOutputStream zip = new ZipOutputStream(os)) {
            for (ZipEntry e : Collections.list(in.entries())) {
                zip.putNextEntry(new ZipEntry(e.getName()));
                try (InputStream is = in.getInputStream(e)) {
                    is.transferTo(zip);
                }
                zip.closeEntry();
            }
        }
        return out;
    }

    /** Adds one to the CRC-32 the central directory records for {@code member} (what ZipFile's getCrc() answers). */
    private static void corruptCentralCrc(Path archive, String member) throws IOException {
        byte[] bytes = Files.readAllBytes(archive);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = member.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at + 46 <= bytes.length; at++) {
            if (b.getInt(at) != 0x02014b50 || Short.toUnsignedInt(b.getShort(at + 28)) != name.length) continue;
            if (!new String(bytes, at + 46, name.length, StandardCharsets.UTF_8).equals(member)) continue;
            b.putInt(at + 16, b.getInt(at + 16) + 1);
            Files.write(archive, bytes);
            return;
        }
        throw new AssertionError("no central directory entry for " + member);
    }
}
