package io.keras4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.spi.Codec;
import io.keras4j.spi.CodecInfo;
import io.keras4j.spi.CodecRegistry;
import io.keras4j.spi.Feature;
import io.keras4j.spi.InputKind;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.MatchStrength;
import io.keras4j.spi.ProbeInput;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What escapes a codec: its own bugs are CodecFailureExceptions naming it, bad input passes through unchanged. */
class CodecFailureTest {
    @TempDir Path dir;

    /** Claims every file; read, write and loadWeights throw what {@code failure} gives. */
    record ThrowingCodec(Supplier<? extends Throwable> failure) implements Codec {
        @Override public CodecInfo info() {
            return CodecInfo.builder("broken", ThrowingCodec.class).reads(Feature.WEIGHTS).writes(Feature.WEIGHTS)
                    .inputKinds(InputKind.FILE).targetSuffixes(".broken").build();
        }
        @Override public MatchStrength probe(ProbeInput input) { return input.isFile() ? MatchStrength.FULL : MatchStrength.NO_MATCH; }
        @Override public KerasFile read(Path source, ReadOptions options) { throw sneaky(failure.get()); }
        @Override public void write(Model model, Path target, WriteOptions options) { throw sneaky(failure.get()); }
        @Override public Model loadWeights(Model architecture, Path source, LoadWeightsOptions options) { throw sneaky(failure.get()); }

        private static RuntimeException sneaky(Throwable t) {
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            throw new AssertionError(t);
        }
    }

    private static Keras4j with(Supplier<? extends Throwable> failure) {
        return Keras4j.with(CodecRegistry.builder().add(new ThrowingCodec(failure)).build());
    }

    private static Model model() { return Model.builder().name("m").className("Sequential").build(); }

    @Test
    void aRuntimeExceptionIsTheCodecsBugNamingCodecOperationAndFile() throws Exception {
        Path f = Files.writeString(dir.resolve("m.broken"), "x");
        NullPointerException npe = new NullPointerException("layer.config was null");
        Keras4j keras = with(() -> npe);
        assertThatThrownBy(() -> keras.read(f)).isExactlyInstanceOf(CodecFailureException.class)
                .isNotInstanceOf(CorruptModelException.class).hasCause(npe)
                .hasMessage("codec 'broken' failed unexpectedly reading " + f + ": " + npe
                        + "; this is a bug in the codec, please report it")
                .satisfies(e -> {
                    CodecFailureException c = (CodecFailureException) e;
                    assertThat(c.codec()).contains("broken");
                    assertThat(c.file()).contains(f);
                    assertThat(c.operation()).isEqualTo("reading");
                });
        Path out = dir.resolve("out.broken");
        assertThatThrownBy(() -> keras.save(model(), out)).isExactlyInstanceOf(CodecFailureException.class)
                .hasMessageStartingWith("codec 'broken' failed unexpectedly writing " + out + ": ");
        assertThatThrownBy(() -> keras.loadWeights(model(), f, LoadWeightsOptions.DEFAULT))
                .isExactlyInstanceOf(CodecFailureException.class)
                .hasMessageStartingWith("codec 'broken' failed unexpectedly loading weights from " + f + ": ");
    }

    @Test
    void everyKindOfUnexpectedRuntimeExceptionIsACodecFailure() throws Exception {
        Path f = Files.writeString(dir.resolve("m.broken"), "x");
        for (RuntimeException bug : new RuntimeException[] {new IllegalStateException("state"),
                new IndexOutOfBoundsException("index 3"), new ClassCastException("JsonArray"), new NumberFormatException("x")}) {
            assertThatThrownBy(() -> with(() -> bug).read(f)).isExactlyInstanceOf(CodecFailureException.class).hasCause(bug)
                    .hasMessageContaining(bug.toString());
        }
    }

    @Test
    void keras4jExceptionsPassThroughUnchanged() throws Exception {
        Path f = Files.writeString(dir.resolve("m.broken"), "x");
        CorruptModelException corrupt = CorruptModelException.in(f).codec("broken").at("line 1").because("no magic");
        UnsupportedModelException unsupported = new UnsupportedModelException("layer 'x' (Foo) is not supported");
        assertThatThrownBy(() -> with(() -> corrupt).read(f)).isSameAs(corrupt);
        assertThatThrownBy(() -> with(() -> unsupported).save(model(), dir.resolve("o.broken"))).isSameAs(unsupported);
    }

    @Test
    void aStackOverflowIsInputNestedTooDeeplyNotACodecBug() throws Exception {
        Path f = Files.writeString(dir.resolve("m.broken"), "x");
        StackOverflowError overflow = new StackOverflowError();
        assertThatThrownBy(() -> with(() -> overflow).read(f)).isExactlyInstanceOf(CorruptModelException.class)
                .hasCause(overflow).hasMessageStartingWith("broken: nested too deeply to follow").hasMessageContaining(f.toString());
    }

    @Test
    void otherErrorsAreNotSwallowed() throws Exception {
        Path f = Files.writeString(dir.resolve("m.broken"), "x");
        AssertionError error = new AssertionError("a JVM-level failure");
        assertThatThrownBy(() -> with(() -> error).read(f)).isSameAs(error);
    }
}
