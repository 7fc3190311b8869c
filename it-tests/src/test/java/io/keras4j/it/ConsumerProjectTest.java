package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #15's "the BOM resolves in a sample consumer project": examples/consumer-maven, a project outside the reactor
 * that imports keras4j-bom and names keras4j's modules without versions, is built by a real {@code mvn} against a
 * throwaway local repository holding this build's artifacts, then run on the class path and on the module path; its
 * predictions (of the model as loaded and after converting it to .keras and .h5) must match Keras' outputs.
 *
 * <p>Offline: third-party artifacts come from the local repository the outer build used, as a {@code file://} mirror
 * ({@code aether.offline.protocols=file} lets {@code -o} read it); the shared local repository is only read.
 */
class ConsumerProjectTest {
    @TempDir Path dir;

    /** What the BOM manages, as the reactor's module directories (keras4j-X is built in directory X). */
    private static final List<String> LIBRARIES = bomLibraries();

    private static List<String> bomLibraries() {
        try {
            String bom = Files.readString(Fixtures.root().resolve("bom/pom.xml"));
            List<String> out = new ArrayList<>();
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("<groupId>io\\.keras4j</groupId><artifactId>keras4j-([a-z0-9-]+)</artifactId>").matcher(bom);
            while (m.find()) out.add(m.group(1));
            return List.copyOf(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final String MAIN = "com.example.consumer.Main";

    @Test
    void theExampleProjectResolvesTheBomAndPredictsLikeKerasOnClassPathAndModulePath() throws Exception {
        Path mvn = mvn();
        String version = System.getProperty("keras4j.version");
        assertThat(version).as("keras4j.version (set by the parent pom's surefire configuration)").isNotBlank();
        Map<String, Path> jars = reactorJars(version);
        Path root = Fixtures.root();

        // The throwaway repository keeps its third-party copies between runs (speed) but never keras4j's own.
        Path repo = Path.of("target/consumer-repo").toAbsolutePath();
        deleteTree(repo.resolve("io/keras4j"));
        Path settings = Files.writeString(dir.resolve("settings.xml"), """
                <settings>
                  <mirrors><mirror><id>outer-local-repository</id><mirrorOf>*</mirrorOf><url>%s</url></mirror></mirrors>
                </settings>
                """.formatted(outerLocalRepository().toUri()));

        // The layout `mvn install` writes (io/keras4j/A/V/A-V.pom and .jar), laid out directly: maven-install-plugin
        // is not among what the outer `mvn verify` downloads, so running it offline would fail on a fresh machine.
        // Maven takes an untracked file in a local repository as locally installed.
        install(repo, "keras4j-parent", version, root.resolve("pom.xml"), null);
        install(repo, "keras4j-bom", version, root.resolve("bom/pom.xml"), null);
        for (String m : LIBRARIES) install(repo, "keras4j-" + m, version, root.resolve(m).resolve("pom.xml"), jars.get(m));

        // A copy: the source tree gets no target/, and no stale one of an earlier build is reused.
        Path project = dir.resolve("consumer-maven");
        copyTree(root.resolve("examples/consumer-maven"), project);
        run(List.of(mvn.toString(), "-o", "-q", "-B", "-s", settings.toString(), "-Daether.offline.protocols=file",
                "-Dmaven.repo.local=" + repo, "-Dkeras4j.version=" + version, "-f", project.resolve("pom.xml").toString(),
                "package"), "build of examples/consumer-maven");

        // The BOM brought this build's jars, and exactly the modules format-keras and runtime need.
        Path lib = project.resolve("target/lib");
        TreeSet<String> keras4jJars = new TreeSet<>();
        try (Stream<Path> s = Files.list(lib)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("keras4j-")).forEach(keras4jJars::add);
        }
        List<String> needed = List.of("api", "format-h5", "format-keras", "model", "runtime");
        assertThat(keras4jJars).containsExactlyElementsOf(needed.stream().map(m -> "keras4j-" + m + "-" + version + ".jar").toList());
        for (String m : needed) {
            assertThat(Files.mismatch(lib.resolve("keras4j-" + m + "-" + version + ".jar"), jars.get(m)))
                    .as("%s resolved by the consumer is this build's jar %s", m, jars.get(m)).isEqualTo(-1L);
        }

        Zoo.Entry mlp = Zoo.current().entries().stream().filter(e -> e.id().equals("mlp-k3")).findFirst().orElseThrow();
        List<String> args = new ArrayList<>(List.of(mlp.file("keras").orElseThrow().toString()));
        for (Path in : mlp.inputs()) args.add(in.toString());
        Path app = project.resolve("target/keras4j-consumer-maven-1.0.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        List<String> classPath = new ArrayList<>(List.of(java, "-cp", app + File.pathSeparator + lib + File.separator + "*", MAIN));
        classPath.addAll(args);
        assertPredictsLikeKeras(run(classPath, "consumer on the class path"), "class path", mlp);

        List<String> modulePath = new ArrayList<>(List.of(java, "-p", app + File.pathSeparator + lib,
                "-m", "com.example.consumer/" + MAIN));
        modulePath.addAll(args);
        assertPredictsLikeKeras(run(modulePath, "consumer on the module path"), "module path", mlp);
    }

    /** Lines {@code LABEL output I [SHAPE]: v0 v1 ...} for the original model and both conversions. */
    private static void assertPredictsLikeKeras(List<String> stdout, String where, Zoo.Entry e) {
        assertThat(stdout).as("stdout").isNotEmpty();
        assertThat(stdout.get(0)).isEqualTo("running on the " + where);
        Map<String, String> lines = new LinkedHashMap<>();
        for (String line : stdout.subList(1, stdout.size())) {
            int colon = line.indexOf(':');
            lines.put(colon < 0 ? line : line.substring(0, colon), colon < 0 ? "" : line.substring(colon + 1).strip());
        }
        List<Path> outputs = e.outputs();
        List<String> expectedKeys = new ArrayList<>();
        for (String label : List.of("original", "model.keras", "model.h5")) {
            for (int i = 0; i < outputs.size(); i++) {
                Tensor keras = Npy.read(outputs.get(i));
                String key = label + " output " + i + " " + Arrays.toString(keras.shape());
                expectedKeys.add(key);
                assertThat(lines).as("%s: %s", where, stdout).containsKey(key);
                float[] want = keras.toFloatArray();
                String[] got = lines.get(key).split(" ");
                assertThat(got).as("%s %s", where, key).hasSize(want.length);
                for (int k = 0; k < want.length; k++) {
                    assertThat(Math.abs(Double.parseDouble(got[k]) - want[k])).as("%s %s [%d]", where, key, k)
                            .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(want[k])));
                }
            }
        }
        assertThat(lines.keySet()).as("%s: one line per output, nothing else", where).containsExactlyElementsOf(expectedKeys);
    }

    private static void install(Path repo, String artifact, String version, Path pom, Path jar) throws IOException {
        Path d = Files.createDirectories(repo.resolve("io/keras4j").resolve(artifact).resolve(version));
        Files.copy(pom, d.resolve(artifact + "-" + version + ".pom"));
        if (jar != null) Files.copy(jar, d.resolve(artifact + "-" + version + ".jar"));
    }

    /**
     * The reactor's packaged jars, from this test's class path: in {@code verify} it holds them; in {@code test} it holds
     * {@code target/classes} instead, which cannot be installed.
     */
    private static Map<String, Path> reactorJars(String version) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Map<String, Path> out = new LinkedHashMap<>();
        for (String m : LIBRARIES) {
            String name = "keras4j-" + m + "-" + version + ".jar";
            Optional<Path> jar = Arrays.stream(cp.split(File.pathSeparator)).map(Path::of)
                    .filter(p -> p.getFileName() != null && p.getFileName().toString().equals(name)).findFirst();
            if (jar.isEmpty()) unavailable(name + " is not on the test class path (the test phase gives target/classes); run it-tests in verify, "
                    + "after package, e.g. mvn -pl it-tests -am verify -Dtest=ConsumerProjectTest -Dsurefire.failIfNoSpecifiedTests=false");
            out.put(m, jar.get());
        }
        return out;
    }

    /** The local repository the outer build resolved slf4j-api from: .../org/slf4j/slf4j-api/V/slf4j-api-V.jar. */
    private static Path outerLocalRepository() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path jar = Arrays.stream(cp.split(File.pathSeparator)).map(Path::of)
                .filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith("slf4j-api-"))
                .findFirst().orElseThrow(() -> new AssertionError("no slf4j-api jar on the test class path " + cp));
        Path repo = jar.getParent().getParent().getParent().getParent().getParent();
        assertThat(repo.resolve("org/slf4j/slf4j-api")).as("local repository of %s", jar).isDirectory();
        return repo;
    }

    /** {@code mvn} from the PATH: missing, the test fails under keras4j.oracle.required (CI) and skips visibly otherwise. */
    private static Path mvn() {
        String exe = System.getProperty("os.name").startsWith("Windows") ? "mvn.cmd" : "mvn";
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (d.isBlank()) continue;
            Path p = Path.of(d, exe);
            if (Files.isExecutable(p)) return p;
        }
        unavailable("no " + exe + " on the PATH: the example consumer project cannot be built");
        throw new AssertionError("unreachable");
    }

    private static void unavailable(String why) {
        if (Boolean.getBoolean("keras4j.oracle.required")) Assertions.fail(why + " (keras4j.oracle.required is set)");
        System.err.println("SKIPPED: " + why);
        Assumptions.abort(why);
    }

    /** Runs a command in its own process; a non-zero exit fails naming it and showing its output. Returns stdout. */
    private List<String> run(List<String> cmd, String what) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        // Maven builds with the JDK running this test.
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        // A guard against a hung child, not a timing assertion.
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("hung: " + what + ": " + cmd);
        }
        assertThat(p.exitValue()).as("%s exit code: %s%nstdout:%n%s%nstderr:%n%s", what, cmd, Files.readString(out), Files.readString(err))
                .isZero();
        return Files.readAllLines(out);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(p -> !from.relativize(p).startsWith("target")).toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    private static void deleteTree(Path d) {
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
