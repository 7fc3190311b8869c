package io.keras4j.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CodecNotInstalledException;
import io.keras4j.UnknownFormatException;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodecRegistryTest {
    @TempDir Path dir;

    /** A codec that matches files starting with its magic word, with a given strength and rank. */
    record FakeCodec(String name, String magic, MatchStrength strength, int rank, List<String> targetSuffixes) implements Codec {
        @Override public CodecInfo info() {
            return CodecInfo.builder(name, FakeCodec.class).description("fake " + name).reads(Feature.ARCHITECTURE)
                    .inputKinds(InputKind.FILE).targetSuffixes(targetSuffixes.toArray(String[]::new)).rank(rank).build();
        }
        @Override public MatchStrength probe(ProbeInput in) {
            return ProbeInput.startsWith(in.head(), magic.getBytes(StandardCharsets.US_ASCII)) ? strength : MatchStrength.NO_MATCH;
        }
        @Override public KerasFile read(Path source, ReadOptions options) { return KerasFile.builder(name, source).build(); }
        @Override public void write(Model model, Path target, WriteOptions options) { }
    }

    static FakeCodec fake(String name, String magic, MatchStrength strength, int rank, String... targetSuffixes) {
        return new FakeCodec(name, magic, strength, rank, List.of(targetSuffixes));
    }

    static CodecRegistry registry(Codec... codecs) {
        CodecRegistry.Builder b = CodecRegistry.builder();
        for (Codec c : codecs) b.add(c);
        return b.build();
    }

    /** A file that the "AB" and "ABC" fakes match. */
    private Path abcd() throws IOException { return Files.writeString(dir.resolve("m.bin"), "ABCD payload"); }

    @Test
    void strongestProbeWinsThenRankThenName() throws Exception {
        Path f = abcd();
        CodecRegistry r = registry(fake("weak", "AB", MatchStrength.WEAK, 9), fake("solid-b", "ABC", MatchStrength.SOLID, 0),
                fake("solid-a", "ABC", MatchStrength.SOLID, 0));
        assertThat(r.detect(f).codec().info().name()).isEqualTo("solid-a");
        assertThat(r.detect(f).verdicts()).hasSize(3);
        CodecRegistry ranked = registry(fake("solid-a", "ABC", MatchStrength.SOLID, 0),
                fake("solid-b", "ABC", MatchStrength.SOLID, 5));
        assertThat(ranked.detect(f).codec().info().name()).isEqualTo("solid-b");
    }

    @Test
    void unknownInputListsEveryVerdict() throws Exception {
        Path f = Files.writeString(dir.resolve("notes.txt"), "just text");
        CodecRegistry r = registry(fake("x", "XYZ", MatchStrength.FULL, 0));
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
        CodecRegistry r = registry(fake("h5", "H", MatchStrength.SOLID, 0, ".h5"),
                fake("h5", "H", MatchStrength.SOLID, 0, ".h5"), fake("w", "W", MatchStrength.SOLID, 0, ".weights.h5"),
                fake("dir", "D", MatchStrength.SOLID, 0, ""));
        assertThat(r.problems()).singleElement().asString().contains("two codecs named 'h5'");
        assertThat(r.forTarget(Path.of("a/model.weights.h5"), null).info().name()).isEqualTo("w");
        assertThat(r.forTarget(Path.of("a/model.h5"), null).info().name()).isEqualTo("h5");
        assertThat(r.forTarget(Path.of("a/exported"), null).info().name()).isEqualTo("dir");
        assertThat(r.forTarget(Path.of("a/model.h5"), "w").info().name()).isEqualTo("w");
    }

    @Test
    void aPreferredCodecWinsTiesButNotAStrongerProbe() throws Exception {
        Path f = abcd();
        CodecRegistry r = registry(fake("solid-a", "ABC", MatchStrength.SOLID, 0),
                fake("solid-b", "ABC", MatchStrength.SOLID, 0), fake("ranked", "ABC", MatchStrength.SOLID, 5),
                fake("weak", "AB", MatchStrength.WEAK, 0));
        assertThat(r.preferred()).isEmpty();
        assertThat(r.detect(f).codec().info().name()).isEqualTo("ranked");
        assertThat(r.preferring("solid-b").detect(f).codec().info().name()).isEqualTo("solid-b");
        assertThat(r.preferring("SOLID-A").preferred()).contains("solid-a");
        assertThat(r.preferring("solid-a").detect(f).codec().info().name()).isEqualTo("solid-a");
        assertThat(r.preferring("weak").detect(f).codec().info().name()).as("a weaker probe is not a tie").isEqualTo("ranked");
        assertThat(r.preferring("solid-b").preferring(null).detect(f).codec().info().name()).isEqualTo("ranked");
        assertThat(r.preferring("solid-b").detect(f).verdicts()).hasSize(4);
        assertThat(r.preferring("solid-b").detect(f, "solid-a").codec().info().name()).as("an explicit name wins").isEqualTo("solid-a");
        assertThat(r.preferring("solid-b").problems()).isEmpty();
    }

    @Test
    void aPreferredCodecWinsEquallyLongTargetSuffixesOnly() {
        CodecRegistry r = registry(fake("h5", "H", MatchStrength.SOLID, 0, ".h5"),
                fake("my-h5", "H", MatchStrength.SOLID, 0, ".h5"), fake("w", "W", MatchStrength.SOLID, 0, ".weights.h5"));
        assertThat(r.forTarget(Path.of("m.h5"), null).info().name()).isEqualTo("h5");
        assertThat(r.preferring("my-h5").forTarget(Path.of("m.h5"), null).info().name()).isEqualTo("my-h5");
        assertThat(r.preferring("my-h5").forTarget(Path.of("m.weights.h5"), null).info().name()).isEqualTo("w");
    }

    @Test
    void preferringACodecThatIsNotInstalledIsRefusedOrReported() {
        CodecRegistry r = registry(fake("x", "X", MatchStrength.FULL, 0));
        assertThatThrownBy(() -> r.preferring("nope")).isInstanceOf(CodecNotInstalledException.class)
                .hasMessageContaining("nope").hasMessageContaining("installed: [x]");
        CodecRegistry configured = CodecRegistry.builder().add(fake("x", "X", MatchStrength.FULL, 0))
                .preferred("nope").build();
        assertThat(configured.preferred()).isEmpty();
        assertThat(configured.problems()).singleElement().asString()
                .contains("preferred codec 'nope' is not installed").contains("installed: [x]");
    }

    @Test
    void discoverPrefersTheCodecTheSystemPropertyNames() throws Exception {
        Path services = dir.resolve("cp/META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(Codec.class.getName()), TieB.class.getName() + "\n" + TieA.class.getName() + "\n");
        Path f = Files.writeString(dir.resolve("m.bin"), "TIE payload");
        String before = System.getProperty(CodecRegistry.PREFER_PROPERTY);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.resolve("cp").toUri().toURL()}, getClass().getClassLoader())) {
            System.clearProperty(CodecRegistry.PREFER_PROPERTY);
            CodecRegistry plain = CodecRegistry.discover(loader);
            assertThat(plain.codecs()).extracting(c -> c.info().name()).containsExactly("tie-a", "tie-b");
            assertThat(plain.detect(f).codec().info().name()).as("name order").isEqualTo("tie-a");
            System.setProperty(CodecRegistry.PREFER_PROPERTY, "tie-b");
            CodecRegistry preferring = CodecRegistry.discover(loader);
            assertThat(preferring.preferred()).contains("tie-b");
            assertThat(preferring.detect(f).codec().info().name()).isEqualTo("tie-b");
            assertThat(preferring.problems()).isEmpty();
        } finally {
            if (before == null) System.clearProperty(CodecRegistry.PREFER_PROPERTY);
            else System.setProperty(CodecRegistry.PREFER_PROPERTY, before);
        }
    }

    /** Class-path order must not decide between two codecs of one name: the same one is kept in either order. */
    @Test
    void duplicateNamesKeepTheHigherRankThenTheFirstClassNameInEitherOrder() throws Exception {
        FakeCodec fake = fake("dup", "D", MatchStrength.SOLID, 0, ".d");
        AnotherCodec another = new AnotherCodec(fake("dup", "D", MatchStrength.SOLID, 0, ".d"));
        for (List<Codec> order : List.of(List.<Codec>of(fake, another), List.<Codec>of(another, fake))) {
            CodecRegistry r = registry(order.toArray(Codec[]::new));
            assertThat(r.require("dup")).as("added in order %s", order).isSameAs(another);
            assertThat(r.problems()).singleElement().asString().contains("two codecs named 'dup'")
                    .contains("kept " + AnotherCodec.class.getName()).contains("ignored " + FakeCodec.class.getName());
        }
        FakeCodec ranked = fake("dup", "D", MatchStrength.SOLID, 1, ".d");
        for (List<Codec> order : List.of(List.<Codec>of(ranked, another), List.<Codec>of(another, ranked))) {
            assertThat(registry(order.toArray(Codec[]::new)).require("dup")).as("the higher rank, added in order %s", order)
                    .isSameAs(ranked);
        }
    }

    @Test
    void aCodecWhoseInfoFailsOrIsInvalidIsReportedAndLeftOut() {
        Codec failing = new AnotherCodec(null);
        CodecRegistry r = CodecRegistry.builder().add(failing)
                .add(fake("Upper", "U", MatchStrength.SOLID, 0))
                .add(fake("ok", "O", MatchStrength.SOLID, 0)).build();
        assertThat(r.codecs()).extracting(c -> c.info().name()).containsExactly("ok");
        assertThat(r.problems()).hasSize(2);
        assertThat(r.problems().get(0)).contains(AnotherCodec.class.getName()).contains("info() failed");
        assertThat(r.problems().get(1)).contains("invalid name 'Upper'");
    }

    @Test
    void codecInfoCopiesItsCollectionsAndDefaultsWhatIsUnset() {
        CodecInfo bare = CodecInfo.builder("bare", FakeCodec.class).build();
        assertThat(bare.description()).isEmpty();
        assertThat(bare.reads()).isEmpty();
        assertThat(bare.targetSuffixes()).isEmpty();
        assertThat(bare.writeProperties()).isEmpty();
        assertThat(bare.rank()).isZero();
        assertThat(bare.version()).isEqualTo(io.keras4j.Keras4j.versionOf(FakeCodec.class));
        CodecInfo full = CodecInfo.builder("full", FakeCodec.class).reads(java.util.EnumSet.of(Feature.WEIGHTS, Feature.ARCHITECTURE))
                .writes(Feature.OPTIMIZER_STATE, Feature.ARCHITECTURE).version("9.9").build();
        assertThat(full.reads()).containsExactly(Feature.ARCHITECTURE, Feature.WEIGHTS);
        assertThat(full.writes()).containsExactly(Feature.ARCHITECTURE, Feature.OPTIMIZER_STATE);
        assertThat(full.version()).isEqualTo("9.9");
        assertThatThrownBy(() -> full.reads().add(Feature.TRAINING_CONFIG)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void probesSeeNothingForShortOrMissingFiles() throws Exception {
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertThat(ProbeInput.of(empty).head().remaining()).isZero();
        assertThat(ProbeInput.of(dir.resolve("missing")).tail(8).remaining()).isZero();
    }

    /** Providers for {@link ServiceLoader}: two codecs whose probes tie on "TIE". */
    public static final class TieA extends Delegating { public TieA() { super(fake("tie-a", "TIE", MatchStrength.SOLID, 0)); } }

    public static final class TieB extends Delegating { public TieB() { super(fake("tie-b", "TIE", MatchStrength.SOLID, 0)); } }

    /** Another implementation class, for codecs of the same name from two jars. */
    static final class AnotherCodec extends Delegating { AnotherCodec(FakeCodec delegate) { super(delegate); } }

    abstract static class Delegating implements Codec {
        private final FakeCodec delegate;
        Delegating(FakeCodec delegate) { this.delegate = delegate; }
        @Override public CodecInfo info() { return delegate.info(); }
        @Override public MatchStrength probe(ProbeInput in) { return delegate.probe(in); }
        @Override public KerasFile read(Path source, ReadOptions options) { return delegate.read(source, options); }
        @Override public void write(Model model, Path target, WriteOptions options) { }
    }
}
