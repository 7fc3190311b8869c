package io.keras4j.it;

import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.testing.PinnedOutcomes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** The layer-class conformance set written by real Keras ({@code oracle/conformance.py}): its manifest and cases. */
final class ConformanceSet {
    private final Path dir;
    private final JsonObject manifest;

    private ConformanceSet(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        Path m = this.dir.resolve("manifest.json");
        try {
            this.manifest = KerasJson.parse(Files.readString(m), m).asObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The set named by {@code keras4j.conformance} (test.sh generates and caches it). Absent, the test fails when
     * {@code keras4j.oracle.required} is set, as the zoo-based tests do, and otherwise skips visibly.
     */
    static ConformanceSet current() { return named("keras4j.conformance", "oracle/conformance.py"); }

    /** The Keras 3 exports of keras.applications ({@code oracle/applications.py}), named by {@code keras4j.applications}. */
    static ConformanceSet applications() { return named("keras4j.applications", "oracle/applications.py"); }

    /**
     * keras.applications models of both generations in every format ({@code oracle/application_formats.py}), named by
     * {@code keras4j.applicationFormats}.
     */
    static ConformanceSet applicationFormats() {
        return named("keras4j.applicationFormats", "oracle/application_formats.py");
    }

    private static ConformanceSet named(String property, String generator) {
        String configured = System.getProperty(property, "");
        Path dir = configured.isBlank() ? null : Path.of(configured);
        if (dir == null || !Files.isRegularFile(dir.resolve("manifest.json"))) {
            String why = configured.isBlank() ? property + " is not set (test.sh generates the set with "
                    + generator + " and passes it)" : "no manifest at " + dir;
            if (Boolean.getBoolean("keras4j.oracle.required")) Assertions.fail(why + " (keras4j.oracle.required is set)");
            System.err.println("SKIPPED: " + why);
            Assumptions.abort(why);
        }
        return new ConformanceSet(dir);
    }

    Path dir() { return dir; }

    JsonObject versions() { return manifest.getObject("versions"); }

    /** Which application families the set holds: {@code small}, {@code all} or {@code every} (none for other sets). */
    String families() { return manifest.getString("families", ""); }

    List<Case> cases() { return manifest.getArray("cases").values().stream().map(v -> new Case(v.asObject())).toList(); }

    List<JsonObject> skippedClasses() { return manifest.getArray("skipped_classes").values().stream().map(JsonValue::asObject).toList(); }

    /** One layer class in one config variant, in one Keras generation. */
    final class Case {
        final JsonObject json;

        Case(JsonObject json) { this.json = json; }

        String id() { return json.getString("id", ""); }

        String gen() { return json.getString("gen", ""); }

        Path path(String relative) { return dir.resolve(relative); }

        List<Path> inputs() { return json.getArray("inputs").values().stream().map(v -> path(v.asText())).toList(); }

        List<Path> outputs() { return json.getArray("outputs").values().stream().map(v -> path(v.asText())).toList(); }

        Path weights() { return path(json.getString("weights", "")); }

        /**
         * Keras's own channels_first computation of this case disagreed, on the machine that generated the set, with the
         * same layer channels_last (oneDNN's kernels), so the reference is the channels_last result (see the generator).
         */
        boolean kerasKernelDisagrees() { return json.getBoolean("keras_kernel_disagrees", false); }

        List<JsonObject> layers() { return json.getArray("layers").values().stream().map(JsonValue::asObject).toList(); }

        Optional<Path> file(String format) {
            return json.getArray("files").values().stream().map(JsonValue::asObject)
                    .filter(f -> f.getString("format", "").equals(format)).findFirst().map(f -> path(f.getString("path", "")));
        }

        /** The error real Keras met loading the file it wrote in {@code format} (the generator's record); empty if it loaded. */
        Optional<String> kerasLoadError(String format) {
            return json.getArray("files").values().stream().map(JsonValue::asObject)
                    .filter(f -> f.getString("format", "").equals(format) && !f.getBoolean("keras_loads", true))
                    .findFirst().map(f -> f.getString("load_error", "(no error recorded)"));
        }

        @Override public String toString() { return id(); }
    }

    private static final Pattern DIFF = Pattern.compile("max_abs_diff[=: ]+[-+]?[0-9.]+(?:e[-+]?[0-9]+)?(?:, )?");

    /**
     * A message as a table cell's reason, the same on every machine: {@link PinnedOutcomes#reason} (first line, no
     * paths), no addresses or temporary folders, no size of a difference (its digits, even its decade, move with the
     * CPU's float rounding; the reverse check's log has them), no '|' (the table's separator), at most 200 characters.
     */
    static String reason(String message, Path... roots) {
        String r = PinnedOutcomes.reason(message, roots)
                .replaceAll("0x[0-9a-fA-F]+", "0x…")
                .replaceAll("/tmp/[^ '\"]+", "<tmp>");
        r = DIFF.matcher(r).replaceAll("").replace('|', '/');
        return r.length() > 200 ? r.substring(0, 199) + "…" : r;
    }
}
