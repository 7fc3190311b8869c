package io.keras4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assertions;

/**
 * A committed table of expected outcomes (case id → reason) that what a test observed must equal exactly: a writer's
 * refusals, or the cases real Keras is expected to fail on. Loose floors ("more than 100 cases written") stay green
 * when a writer starts refusing more models; a pinned table turns red when an outcome appears, disappears or changes
 * its reason.
 *
 * <p>The table is a UTF-8 file of {@code id<TAB>reason} lines ({@code #} starts a comment), kept in the module's
 * {@code src/test/resources/pinned/}. Reasons are compared after {@link #reason(String, Path...)} normalisation
 * (first line only, machine-specific paths replaced), so the table is the same on every machine. After a deliberate
 * change, {@code -Dkeras4j.pins.update=true} rewrites the table from what was observed; review the diff before
 * committing it.
 */
public final class PinnedOutcomes {
    private PinnedOutcomes() {}

    /**
     * A message as a pinned reason: its first line, each of {@code roots} (output folders, fixture folders) replaced
     * by {@code <dir>}, the repository root by {@code <root>}, and the user's home by {@code ~}.
     */
    public static String reason(String message, Path... roots) {
        String text = Objects.requireNonNullElse(message, "(no message)").strip();
        int eol = text.indexOf('\n');
        if (eol >= 0) text = text.substring(0, eol).strip();
        for (Path root : roots) {
            text = text.replace(root.toAbsolutePath().normalize().toString(), "<dir>");
        }
        text = text.replace(Fixtures.root().toString(), "<root>");
        text = text.replace(System.getProperty("user.home"), "~");
        return text.replace('\t', ' ');
    }

    /**
     * Fails unless {@code observed} equals the table in {@code src/test/resources/pinned/NAME.tsv} of the calling
     * module, listing every case that appeared, disappeared or changed its reason.
     */
    public static void assertMatches(String name, String what, Map<String, String> observed) {
        assertMatches(name, what, observed, id -> true);
    }

    /**
     * As {@link #assertMatches(String, String, Map)}, for a table some of whose cases this run does not cover (the
     * committed zoo holds fewer models than the generated one): pinned ids that {@code covered} rejects are ignored,
     * and the table is never rewritten from such a partial run.
     */
    public static void assertMatches(String name, String what, Map<String, String> observed, Predicate<String> covered) {
        Path table = Path.of("src/test/resources/pinned", name + ".tsv").toAbsolutePath();
        Map<String, String> actual = new TreeMap<>(observed);
        if (Boolean.getBoolean("keras4j.pins.update") && read(table).keySet().stream().allMatch(covered)) {
            write(table, what, actual);
            System.err.println("PINNED TABLE UPDATED: " + table + " (" + actual.size() + " " + what + ")");
            return;
        }
        Map<String, String> expected = read(table);
        List<String> problems = new ArrayList<>();
        for (var e : actual.entrySet()) {
            String pinned = expected.get(e.getKey());
            if (pinned == null) problems.add("NEW       " + e.getKey() + ": " + e.getValue());
            else if (!pinned.equals(e.getValue())) {
                problems.add("CHANGED   " + e.getKey() + ":\n    pinned:   " + pinned + "\n    observed: " + e.getValue());
            }
        }
        for (var e : expected.entrySet()) {
            if (covered.test(e.getKey()) && !actual.containsKey(e.getKey())) problems.add("GONE      " + e.getKey() + ": " + e.getValue());
        }
        System.out.println(what + " (" + actual.size() + ", pinned in " + Fixtures.root().relativize(table) + "):");
        actual.forEach((id, why) -> System.out.println("  " + id + ": " + why));
        if (!problems.isEmpty()) {
            Assertions.fail(what + " differ from the pinned table " + table + " (" + problems.size() + " differences; "
                    + "after a deliberate change rerun with -Dkeras4j.pins.update=true and review the diff):\n  "
                    + String.join("\n  ", problems));
        }
    }

    /** The table's entries; a missing table is an empty one (so a new table starts by failing on every outcome). */
    static Map<String, String> read(Path table) {
        Map<String, String> entries = new LinkedHashMap<>();
        if (!Files.exists(table)) return entries;
        try {
            int lineNo = 0;
            for (String line : Files.readAllLines(table, StandardCharsets.UTF_8)) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) continue;
                int tab = line.indexOf('\t');
                if (tab < 0) Assertions.fail(table + ":" + lineNo + ": expected 'id<TAB>reason', got: " + line);
                if (entries.put(line.substring(0, tab), line.substring(tab + 1)) != null) {
                    Assertions.fail(table + ":" + lineNo + ": duplicate id " + line.substring(0, tab));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    private static void write(Path table, String what, Map<String, String> entries) {
        StringBuilder text = new StringBuilder("# ").append(what).append(": id<TAB>reason, compared exactly by ")
                .append("io.keras4j.testing.PinnedOutcomes.\n# Regenerate with -Dkeras4j.pins.update=true after a ")
                .append("deliberate change, then review the diff.\n");
        entries.forEach((id, why) -> text.append(id).append('\t').append(why).append('\n'));
        try {
            Files.createDirectories(table.getParent());
            Files.writeString(table, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
