package io.keras4j.format.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import io.keras4j.format.h5.testing.Zoo;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Model;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
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
    void writesKerasMembersStoredAndReadsThemBack() throws Exception {
        Path source = Zoo.require().dir().resolve("mlp/k3/model.keras");
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
}
