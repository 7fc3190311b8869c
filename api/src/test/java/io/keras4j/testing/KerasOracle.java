package io.keras4j.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Real Keras, through the oracle virtualenv's python. {@code test.sh} passes it as {@code keras4j.python} together
 * with {@code keras4j.oracle.required=true}, so in CI a missing oracle fails the tests instead of skipping them;
 * a developer's plain {@code mvn test} finds an installed venv itself or skips visibly.
 */
public final class KerasOracle {
    private KerasOracle() {}

    /** The oracle python: {@code keras4j.python}, else an installed {@code oracle/venv.sh} venv. */
    public static Optional<Path> python() {
        String configured = System.getProperty("keras4j.python", "");
        if (!configured.isBlank()) return Optional.of(Path.of(configured));
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "keras4j");
        if (!Files.isDirectory(cache)) return Optional.empty();
        try (Stream<Path> venvs = Files.list(cache)) {
            return venvs.filter(v -> v.getFileName().toString().startsWith("venv-") && installed(v))
                    .map(v -> v.resolve("bin/python")).filter(Files::isExecutable).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean installed(Path venv) {
        try (Stream<Path> s = Files.list(venv)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(".keras4j-installed-"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The python, or a visible skip (a failure when the oracle is required). */
    public static Path requirePython() {
        Optional<Path> py = python();
        if (py.isEmpty()) {
            String why = "the Keras oracle venv is not installed (run oracle/venv.sh or ./test.sh)";
            if (Boolean.getBoolean("keras4j.oracle.required")) Assertions.fail(why);
            System.err.println("SKIPPED: " + why);
            Assumptions.abort(why);
        }
        return py.get();
    }

    /** Runs {@code oracle/reverse_check.py} on a cases file; returns its report file after printing its log. */
    public static Path reverseCheck(Path casesJson, Path report) throws IOException, InterruptedException {
        Files.deleteIfExists(report);
        String log = run(Fixtures.root().resolve("oracle/reverse_check.py").toString(),
                "--cases", casesJson.toAbsolutePath().toString(), "--report", report.toAbsolutePath().toString());
        System.out.println(log);
        if (!Files.exists(report)) Assertions.fail("reverse_check.py wrote no report:\n" + log);
        return report;
    }

    /**
     * The cases of a reverse-check report's {@code results} that failed, or only loaded where predictions were to be
     * compared, one line each ({@code id: error (max_abs_diff …)}); fails unless there is one result per case.
     */
    public static List<String> failedCases(io.keras4j.json.JsonArray results, int expectedCases) {
        Assertions.assertEquals(expectedCases, results.size(), "one result per case");
        List<String> failures = new ArrayList<>();
        for (io.keras4j.json.JsonValue r : results) {
            io.keras4j.json.JsonObject o = r.asObject();
            if (!o.getBoolean("ok", false) || o.getBoolean("load_only", false)) {
                failures.add(o.getString("id", "") + ": " + o.get("error") + " (max_abs_diff " + o.get("max_abs_diff") + ")");
            }
        }
        return failures;
    }

    /** Runs the oracle python with arguments and returns its combined output (exit status is the caller's business). */
    public static String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(requirePython().toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            Assertions.fail("oracle python timed out: " + cmd);
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
