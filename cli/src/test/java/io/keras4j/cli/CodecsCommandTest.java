package io.keras4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.spi.KnownFormats;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The command line ships every built-in codec: a format module missing from its dependencies fails here. */
class CodecsCommandTest {
    @Test
    void listsEveryBuiltInCodecAndNoProblems() {
        StringWriter out = new StringWriter();
        int code = Main.run(new String[] {"codecs"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(code).isZero();
        for (KnownFormats.Known k : KnownFormats.ALL) {
            assertThat(out.toString()).as("codec %s (%s)", k.codec(), k.artifact()).containsPattern("(?m)^" + k.codec() + "\\s");
        }
        assertThat(out.toString()).doesNotContain("PROBLEM");
    }
}
