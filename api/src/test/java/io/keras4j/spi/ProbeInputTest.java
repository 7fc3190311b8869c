package io.keras4j.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The head helpers text probes use to turn a binary file away without decoding it. */
class ProbeInputTest {
    @TempDir Path dir;

    @Test
    void firstNonBlankByteSkipsAsciiWhitespaceOnly() throws Exception {
        assertThat(ProbeInput.of(Files.writeString(dir.resolve("a"), " \n\t\r{\"x\": 1}")).firstNonBlankByte()).isEqualTo('{');
        assertThat(ProbeInput.of(Files.writeString(dir.resolve("b"), "  \n")).firstNonBlankByte()).isEqualTo(-1);
        assertThat(ProbeInput.of(Files.write(dir.resolve("c"), new byte[] {(byte) 0x89, 'H', 'D', 'F'})).firstNonBlankByte()).isEqualTo(0x89);
        assertThat(ProbeInput.of(dir.resolve("missing")).firstNonBlankByte()).isEqualTo(-1);
    }

    @Test
    void headHasNulAndHeadContainsLookAtTheBytes() throws Exception {
        byte[] zip = {'P', 'K', 3, 4, 0, 0, 'c', 'o', 'n', 'f', 'i', 'g', '.', 'j', 's', 'o', 'n'};
        ProbeInput p = ProbeInput.of(Files.write(dir.resolve("z"), zip));
        assertThat(p.headHasNul()).isTrue();
        assertThat(p.headContains("config.json")).isTrue();
        assertThat(p.headContains("config.jsonx")).isFalse();
        assertThat(p.headContains("metadata.json")).isFalse();
        ProbeInput text = ProbeInput.of(Files.writeString(dir.resolve("t"), "class_name: Dense\nconfig: {}\n"));
        assertThat(text.headHasNul()).isFalse();
        assertThat(text.headText()).startsWith("class_name: Dense");
    }
}
