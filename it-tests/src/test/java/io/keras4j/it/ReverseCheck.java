package io.keras4j.it;

import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.testing.KerasOracle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;

/** The writer tables' round trip through real Keras: a fresh output folder, then {@code oracle/reverse_check.py}. */
final class ReverseCheck {
    private ReverseCheck() {}

    /** An empty {@code target/NAME} for one test's written files. */
    static Path freshOutput(String name) throws IOException {
        Path out = Path.of("target", name).toAbsolutePath();
        if (Files.exists(out)) {
            try (Stream<Path> s = Files.walk(out)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        return Files.createDirectories(out);
    }

    /** Writes {@code cases.json} into {@code out}, runs the reverse check, and gives each case's result by id. */
    static Map<String, JsonObject> run(List<JsonObject> cases, Path out) throws IOException, InterruptedException {
        Path casesFile = out.resolve("cases.json");
        Files.writeString(casesFile, KerasJson.toText(new JsonArray(new ArrayList<>(cases)), true));
        Path report = KerasOracle.reverseCheck(casesFile, out.resolve("report.json"));
        Map<String, JsonObject> results = new LinkedHashMap<>();
        for (JsonValue r : KerasJson.parse(Files.readString(report), report).asObject().getArray("results")) {
            results.put(r.asObject().getString("id", ""), r.asObject());
        }
        return results;
    }

    /**
     * The layers TensorFlow cannot run alone on this machine, which the reverse check reports for a failed case
     * (e.g. channels_first convolutions on a CPU without those kernels); null when TensorFlow ran them all.
     */
    static String tensorFlowLimitation(JsonObject result) {
        JsonValue v = result.get("tf_limitation");
        return v == null || v.isNull() ? null : v.asText();
    }

    /**
     * The case passed, or it failed for a kernel TensorFlow lacks (UnimplementedError, or pooling's "only supports
     * NHWC") and TensorFlow, asked on this machine, cannot run one of the model's layers even alone: then the file is
     * not at fault, and the limit is not a list kept by hand that is right on one CPU and wrong on the next.
     */
    static void assertPassedOrTensorFlowCannotRunIt(String id, JsonObject r) {
        Assertions.assertThat(r).as("reverse check result for %s", id).isNotNull();
        if (r.getBoolean("ok", false)) return;
        String limitation = tensorFlowLimitation(r);
        if (limitation != null) {
            System.out.println("TENSORFLOW LIMITATION (excused on this machine) " + id + ": " + limitation);
            return;
        }
        Assertions.fail("%s: %s (max_abs_diff %s)", id, r.get("error"), r.get("max_abs_diff"));
    }

    /** A JSON array of the values' strings (paths, keys). */
    static JsonArray strings(List<?> values) {
        JsonArray.Builder b = JsonArray.builder();
        for (Object v : values) b.add(v.toString());
        return b.build();
    }
}
