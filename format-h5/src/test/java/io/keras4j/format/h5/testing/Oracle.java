package io.keras4j.format.h5;

import static org.assertj.core.api.Assertions.assertThat;

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
 * skip visibly when {@code oracle/venv.sh} has not been run on this machine.
 */
public final class Oracle {
    private Oracle() {}

    public static Path shared() { return Path.of(System.getProperty("keras4j.shared", "../shared")); }

    public static Path root() { return Path.of(System.getProperty("keras4j.root", "..")); }

    public static Path requireShared() {
        Path shared = shared();
        Assumptions.assumeTrue(Files.isDirectory(shared), "../shared absent: skipping fixture test");
        return shared;
    }

    /** The installed oracle python, if any. */
    public static Optional<Path> python() {
        String override = System.getenv("KERAS4J_VENV");
        Path cache = override != null ? Path.of(override).getParent() : Path.of(System.getProperty("user.home"), ".cache", "keras4j");
        if (!Files.isDirectory(cache)) return Optional.empty();
        try (Stream<Path> venvs = Files.list(cache)) {
            return venvs.filter(v -> hasMarker(v) && Files.isExecutable(v.resolve("bin/python")))
                    .map(v -> v.resolve("bin/python")).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean hasMarker(Path venv) {
        try (Stream<Path> s = Files.list(venv)) {
            return s.anyMatch(p -> p.getFileName().toString().startsWith(".keras4j-installed-"));
        } catch (IOException e) {
            return false;
        }
    }

    public static Path requirePython() {
        Optional<Path> py = python();
        Assumptions.assumeTrue(py.isPresent(), "oracle venv not installed (run oracle/venv.sh): skipping real-Keras check");
        return py.get();
    }

    /** Runs a python script with arguments; returns stdout, failing the test with stderr on a non-zero exit. */
    public static String run(String script, String... args) throws IOException, InterruptedException {
        Path file = Files.createTempFile("keras4j-check", ".py");
        Files.writeString(file, script);
        try {
            return runFile(file, args);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Runs a python file with arguments; returns stdout, failing the test with stderr on a non-zero exit. */
    public static String runFile(Path file, String... args) throws IOException, InterruptedException {
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
        assertThat(done && p.exitValue() == 0).as("python failed:\n%s\n%s", out, stderr).isTrue();
        return out;
    }
}
