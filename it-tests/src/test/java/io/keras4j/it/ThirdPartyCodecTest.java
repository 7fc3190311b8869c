package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.cli.Main;
import io.keras4j.model.Model;
import io.keras4j.spi.WriteOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A codec from a separate jar (it-tests/third-party-codec, written against keras4j-api alone) is discovered through
 * ServiceLoader and used like a built-in one, with no change to keras4j.
 */
class ThirdPartyCodecTest {
    @TempDir Path dir;

    @Test
    void discoveredSniffedReadWrittenAndConvertedLikeABuiltIn() throws Exception {
        Keras4j keras = Keras4j.create();
        assertThat(keras.registry().find("toy")).isPresent();
        assertThat(keras.registry().codecs()).extracting(c -> c.info().name()).contains("toy", "json", "h5", "keras");

        Path toy = Files.writeString(dir.resolve("net.model"), "#toy-keras-model v1\nhidden Dense 16\nout Dense 3\n");
        assertThat(keras.registry().detect(toy).codec().info().name()).isEqualTo("toy");
        Model m = keras.load(toy);
        assertThat(m.layers()).extracting(l -> l.name()).containsExactly("hidden", "out");

        Path json = dir.resolve("net.json");
        keras.save(m, json);
        Model back = keras.load(json);
        assertThat(back.layers()).extracting(l -> l.className()).containsExactly("Dense", "Dense");
        Path again = dir.resolve("again.toy");
        keras.save(back, again, null, WriteOptions.DEFAULT);
        assertThat(Files.readAllLines(again)).containsExactly("#toy-keras-model v1", "hidden Dense 16", "out Dense 3");

        StringWriter out = new StringWriter();
        int code = Main.run(new String[] {"codecs"}, new PrintWriter(out), new PrintWriter(new StringWriter()));
        assertThat(code).isZero();
        assertThat(out.toString()).contains("toy ").contains("third-party example");
    }

    /**
     * The toy codec's describing itself through one CodecInfo is all the registry and the CLI need; its own bug (a
     * word where it parses a number, unchecked) is a CodecFailureException naming it, never "corrupt input".
     */
    @Test
    void itsInfoIsWhatTheRegistryUsesAndItsBugIsNamedAsSuch() throws Exception {
        Keras4j keras = Keras4j.create();
        io.keras4j.spi.CodecInfo info = keras.registry().require("toy").info();
        assertThat(info.name()).isEqualTo("toy");
        assertThat(info.targetSuffixes()).containsExactly(".toy");
        assertThat(keras.registry().forTarget(dir.resolve("x.toy"), null).info()).isSameAs(info);

        Path buggy = Files.writeString(dir.resolve("buggy.model"), "#toy-keras-model v1\nhidden Dense sixteen\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> keras.load(buggy))
                .isExactlyInstanceOf(io.keras4j.CodecFailureException.class)
                .hasCauseInstanceOf(NumberFormatException.class)
                .hasMessageStartingWith("codec 'toy' failed unexpectedly reading " + buggy)
                .hasMessageEndingWith("this is a bug in the codec, please report it");
    }
}
