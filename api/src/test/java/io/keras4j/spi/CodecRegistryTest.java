package io.keras4j.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CodecNotInstalledException;
import io.keras4j.UnknownFormatException;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodecRegistryTest {
    @TempDir Path dir;

    /** A codec that matches files starting with its magic word, with a given strength and rank. */
    record FakeCodec(String name, String magic, MatchStrength strength, int rank, List<String> targetSuffixes) implements Codec {
        @Override public String description() { return "fake " + name; }
        @Override public Set<Feature> reads() { return Set.of(Feature.ARCHITECTURE); }
        @Override public Set<Feature> writes() { return Set.of(); }
        @Override public Set<InputKind> inputKinds() { return Set.of(InputKind.FILE); }
        @Override public MatchStrength probe(ProbeInput in) {
            return ProbeInput.startsWith(in.head(), magic.getBytes(StandardCharsets.US_ASCII)) ? strength : MatchStrength.NO_MATCH;
        }
        @Override public KerasFile read(Path source, ReadOptions options) { return KerasFile.builder(name, source).build(); }
        @Override public void write(Model model, Path target, WriteOptions options) { }
    }

    @Test
    void strongestProbeWinsThenRankThenName() throws Exception {
        Path f = Files.writeString(dir.resolve("m.bin"), "ABCD payload");
        CodecRegistry r = CodecRegistry.builder()
                .add(new FakeCodec("weak", "AB", MatchStrength.WEAK, 9, List.of()))
                .add(new FakeCodec("solid-b", "ABC", MatchStrength.SOLID, 0, List.of()))
                .add(new FakeCodec("solid-a", "ABC", MatchStrength.SOLID, 0, List.of()))
                .build();
        assertThat(r.detect(f).codec().name()).isEqualTo("solid-a");
        assertThat(r.detect(f).verdicts()).hasSize(3);
        CodecRegistry ranked = CodecRegistry.builder()
                .add(new FakeCodec("solid-a", "ABC", MatchStrength.SOLID, 0, List.of()))
                .add(new FakeCodec("solid-b", "ABC", MatchStrength.SOLID, 5, List.of()))
                .build();
        assertThat(ranked.detect(f).codec().name()).isEqualTo("solid-b");
    }

    @Test
    void unknownInputListsEveryVerdict() throws Exception {
        Path f = Files.writeString(dir.resolve("notes.txt"), "just text");
        CodecRegistry r = CodecRegistry.builder().add(new FakeCodec("x", "XYZ", MatchStrength.FULL, 0, List.of())).build();
        assertThatThrownBy(() -> r.detect(f)).isInstanceOf(UnknownFormatException.class)
                .hasMessageContaining("x=NO_MATCH").hasMessageContaining(f.toString());
    }

    @Test
    void knownFormatWithoutItsModuleNamesTheModule() throws Exception {
        Path f = dir.resolve("m.h5");
        Files.write(f, new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0});
        CodecRegistry empty = CodecRegistry.builder().build();
        assertThatThrownBy(() -> empty.detect(f)).isInstanceOf(CodecNotInstalledException.class)
                .hasMessageContaining("io.keras4j:keras4j-format-h5");
        assertThatThrownBy(() -> empty.require("savedmodel")).isInstanceOf(CodecNotInstalledException.class)
                .hasMessageContaining("keras4j-format-savedmodel");
    }

    @Test
    void duplicateNamesAreReportedAndTargetsChooseTheLongestSuffix() {
        CodecRegistry r = CodecRegistry.builder()
                .add(new FakeCodec("h5", "H", MatchStrength.SOLID, 0, List.of(".h5")))
                .add(new FakeCodec("h5", "H", MatchStrength.SOLID, 0, List.of(".h5")))
                .add(new FakeCodec("w", "W", MatchStrength.SOLID, 0, List.of(".weights.h5")))
                .add(new FakeCodec("dir", "D", MatchStrength.SOLID, 0, List.of("")))
                .build();
        assertThat(r.problems()).singleElement().asString().contains("two codecs named 'h5'");
        assertThat(r.forTarget(Path.of("a/model.weights.h5"), null).name()).isEqualTo("w");
        assertThat(r.forTarget(Path.of("a/model.h5"), null).name()).isEqualTo("h5");
        assertThat(r.forTarget(Path.of("a/exported"), null).name()).isEqualTo("dir");
        assertThat(r.forTarget(Path.of("a/model.h5"), "w").name()).isEqualTo("w");
    }

    @Test
    void probesSeeNothingForShortOrMissingFiles() throws Exception {
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertThat(ProbeInput.of(empty).head().remaining()).isZero();
        assertThat(ProbeInput.of(dir.resolve("missing")).tail(8).remaining()).isZero();
    }
}
