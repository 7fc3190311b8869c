package io.keras4j;

import io.keras4j.spi.MatchStrength;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** No installed codec recognised the input. Lists every codec tried and its verdict. */
public class UnknownFormatException extends Keras4jException {
    private final List<Verdict> verdicts;

    public UnknownFormatException(Path file, List<Verdict> verdicts, String hint) {
        super(message(verdicts, hint), null, file, null, -1, null);
        this.verdicts = List.copyOf(verdicts);
    }

    public List<Verdict> verdicts() { return verdicts; }

    private static String message(List<Verdict> verdicts, String hint) {
        String tried = verdicts.isEmpty() ? "no codecs are installed"
                : "codecs tried: " + verdicts.stream().map(Verdict::toString).collect(Collectors.joining(", "));
        return "not a Keras model format keras4j recognises; " + tried + (hint == null ? "" : "; " + hint);
    }

    /** One codec's answer to a probe. {@code note} explains a failure of the probe itself. */
    public record Verdict(String codec, MatchStrength strength, String note) {
        @Override public String toString() { return codec + "=" + strength + (note == null ? "" : " (" + note + ")"); }
    }
}
