package io.keras4j.cli;

import io.keras4j.Keras4j;
import io.keras4j.spi.Codec;
import io.keras4j.spi.WriteProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** The {@code --set} keys the codecs declare: listed in help and {@code codecs}, and checked before anything is read. */
final class WriteProperties {
    private WriteProperties() {}

    /** Help lines: one per key, with the codec that reads it. */
    static List<String> helpLines(Keras4j keras) {
        List<String> lines = new ArrayList<>();
        for (Codec c : keras.registry().codecs()) {
            for (WriteProperty p : c.info().writeProperties()) {
                lines.add("  " + p.key() + "=VALUE  (" + p.values() + ")");
                lines.add("      " + p.description());
            }
        }
        return lines;
    }

    /** Refuses (exit 2) a key the writing codec does not declare, naming the closest key it does. */
    static void check(CommandLine cmd, Codec writer, Keras4j keras, Map<String, String> properties) {
        List<String> valid = writer.info().writeProperties().stream().map(WriteProperty::key).toList();
        for (String key : properties.keySet()) {
            if (valid.contains(key)) continue;
            String message = "--set " + key + ": codec '" + writer.info().name() + "' has no such property";
            if (valid.isEmpty()) {
                List<String> elsewhere = keras.registry().codecs().stream().flatMap(c -> c.info().writeProperties().stream())
                        .map(WriteProperty::key).filter(k -> k.equals(key)).toList();
                message += "; it takes none" + (elsewhere.isEmpty() ? "" : " (" + key + " is for another codec)");
            } else {
                message += "; did you mean " + closest(key, valid) + "? (valid: "
                        + valid.stream().collect(Collectors.joining(", ")) + ")";
            }
            throw new CliException(Main.USAGE, message);
        }
    }

    static String closest(String key, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(key.toLowerCase(), c.toLowerCase());
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
