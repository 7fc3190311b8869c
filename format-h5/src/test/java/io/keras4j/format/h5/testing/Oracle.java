package io.keras4j.format.h5.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.KerasOracle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The oracle virtualenv's python (h5py, Keras 3, tf_keras), found without installing anything: tests that need it
 * skip visibly when {@code oracle/venv.sh} has not been run on this machine. Shared with format-keras.
 */
public final class Oracle {
    private Oracle() {}

    /** The oracle python (see {@link KerasOracle}: {@code keras4j.python}, else an installed venv). */
    public static Optional<Path> python() { return KerasOracle.python(); }

    /** The python, or a visible skip (a failure when {@code keras4j.oracle.required} is set, as in test.sh). */
    public static Path requirePython() { return KerasOracle.requirePython(); }

    /**
     * Runs {@code oracle/reverse_check.py} on {@code cases} (written with the report into {@code dir}), prints its log
     * and returns the report: {@code {"passed", "failed", "results": [{"id", "ok", "max_abs_diff", "error"}]}}.
     */
    public static JsonObject reverseCheck(List<JsonObject> cases, Path dir) throws IOException, InterruptedException {
        Path casesFile = dir.resolve("cases.json").toAbsolutePath();
        Path report = dir.resolve("report.json").toAbsolutePath();
        Files.deleteIfExists(report);
        Files.writeString(casesFile, KerasJson.toText(JsonArray.of(cases.toArray(JsonValue[]::new)), true));
        String log = run(Fixtures.root().resolve("oracle/reverse_check.py"), true, "--cases", casesFile.toString(), "--report", report.toString());
        System.out.println(log);
        assertThat(report).as("reverse_check.py wrote no report:\n%s", log).exists();
        return KerasJson.parse(Files.readString(report), report).asObject();
    }

    /** Runs a python script with arguments; returns stdout, failing the test with stderr on a non-zero exit. */
    public static String run(String script, String... args) throws IOException, InterruptedException {
        Path file = Files.createTempFile("keras4j-check", ".py");
        Files.writeString(file, script);
        try {
            return run(file, false, args);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String run(Path file, boolean mayFail, String... args) throws IOException, InterruptedException {
        Path py = requirePython();
        List<String> cmd = new ArrayList<>(List.of(py.toString(), file.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "3");
        pb.environment().put("CUDA_VISIBLE_DEVICES", "-1");
        Path err = Files.createTempFile("keras4j-check", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        assertThat(done && (mayFail || p.exitValue() == 0)).as("python failed:\n%s\n%s", out, stderr).isTrue();
        return out;
    }
}
