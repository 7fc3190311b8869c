package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.spi.KnownFormats;
import io.keras4j.tensor.Npy;
import java.io.File;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keras4j as a library on the module path: a user's named module that requires only {@code io.keras4j.api} and
 * {@code io.keras4j.runtime} is compiled and run in its own JVM with the reactor's jars on {@code --module-path} (no
 * {@code --add-modules}). The codecs, the third-party one included, arrive by service binding; loading from a path and
 * from a stream, converting to every format and predicting must work there as on the class path, and match Keras.
 */
class ModulePathTest {
    @TempDir Path dir;

    private static final String MODULE_INFO = """
            module app {
                requires io.keras4j.api;
                requires io.keras4j.runtime;
            }
            """;

    /** Reads commands, one a line: codecs | load PATH OUT IN... | stream PATH OUT IN... | convert SRC DST. */
    private static final String APP = """
            package app;

            import io.keras4j.Keras4j;
            import io.keras4j.model.Model;
            import io.keras4j.runtime.CompiledModel;
            import io.keras4j.tensor.Npy;
            import io.keras4j.tensor.Tensor;
            import java.io.InputStream;
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.util.ArrayList;
            import java.util.List;
            import java.util.stream.Collectors;
            
            public final class App {
                public static void main(String[] args) throws Exception {
                    Keras4j keras = Keras4j.create();
                    for (String line : Files.readAllLines(Path.of(args[0]))) {
                        String[] a = line.split("\\t");
                        switch (a[0]) {
                            case "codecs" -> System.out.println("codecs " + keras.registry().codecs().stream()
                                    .map(c -> c.info().name()).collect(Collectors.joining(",")) + " problems " + keras.registry().problems());
                            case "convert" -> keras.save(keras.load(Path.of(a[1])), Path.of(a[2]));
                            case "load", "stream" -> {
                                Model model;
                                if (a[0].equals("load")) {
                                    model = keras.load(Path.of(a[1]));
                                } else {
                                    try (InputStream in = Files.newInputStream(Path.of(a[1]))) {
                                        model = keras.load(in, Path.of(a[1]).getFileName().toString());
                                    }
                                }
                                List<Tensor> inputs = new ArrayList<>();
                                for (int i = 3; i < a.length; i++) inputs.add(Npy.read(Path.of(a[i])));
                                List<Tensor> out = CompiledModel.compile(model).predictTensors(inputs);
                                Files.createDirectories(Path.of(a[2]));
                                for (int i = 0; i < out.size(); i++) Npy.write(out.get(i), Path.of(a[2], "output_" + i + ".npy"));
                            }
                            default -> throw new IllegalArgumentException(line);
                        }
                        System.out.println("done " + line);
                    }
                }
            }
            """;

    @Test
    void aUsersModuleLoadsConvertsAndPredictsOnTheModulePath() throws Exception {
        List<String> modulePath = modulePath();
        Path out = compileApp(modulePath);

        List<String> commands = new ArrayList<>(List.of("codecs"));
        List<Check> checks = new ArrayList<>();
        int n = 0;
        for (Zoo.Entry e : Zoo.current().entries()) {
            if (needsUserCode(e)) continue;
            String primary = e.gen().equals("k3") ? "keras" : "h5";
            List<Path> sources = new ArrayList<>();
            sources.add(e.file(primary).orElseThrow());
            if (e.gen().equals("k2")) e.file("savedmodel").ifPresent(sources::add);
            for (Path source : sources) {
                Path pred = dir.resolve("pred" + n++);
                commands.add(line("load", source, pred, e));
                checks.add(new Check(e, source + " (path)", pred));
            }
            Path pred = dir.resolve("pred" + n++);
            commands.add(line("stream", sources.get(0), pred, e));
            checks.add(new Check(e, sources.get(0) + " (stream)", pred));
            if (e.model().equals("cnn") && e.gen().equals("k3")) {
                // Every writer, through the codecs bound as services, then read back on the module path.
                for (String target : List.of("out.h5", "out.keras", "out_savedmodel")) {
                    Path written = dir.resolve(target);
                    commands.add(String.join("\t", "convert", sources.get(0).toString(), written.toString()));
                    Path p = dir.resolve("pred" + n++);
                    commands.add(line("load", written, p, e));
                    checks.add(new Check(e, target, p));
                }
            }
        }
        Path script = Files.write(dir.resolve("commands.tsv"), commands);

        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", out + File.pathSeparator + String.join(File.pathSeparator, modulePath),
                "-m", "app/app.App", script.toString());
        Path stdout = dir.resolve("stdout");
        Path stderr = dir.resolve("stderr");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        // A guard against a hung child, not a timing assertion.
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("hung: " + cmd);
        }
        String err = Files.readString(stderr);
        List<String> printed = Files.readAllLines(stdout);
        assertThat(p.exitValue()).as("exit code; stderr:%n%s%nlast lines of stdout:%n%s", err,
                String.join("\n", printed.subList(Math.max(0, printed.size() - 5), printed.size()))).isZero();
        List<String> lines = Files.readAllLines(stdout);
        assertThat(lines).as("one line per command").hasSize(commands.size() + 1);
        String codecs = lines.get(0);
        for (KnownFormats.Known k : KnownFormats.ALL) assertThat(codecs).as("codec %s bound", k.codec()).containsPattern("[ ,]" + k.codec() + "[ ,]");
        assertThat(codecs).as("the third-party codec bound").contains(",toy").endsWith("problems []");
        for (Check c : checks) assertSameAsKeras(c);
    }

    record Check(Zoo.Entry entry, String what, Path predictions) {}

    private static String line(String verb, Path model, Path pred, Zoo.Entry e) {
        List<String> parts = new ArrayList<>(List.of(verb, model.toString(), pred.toString()));
        for (Path in : e.inputs()) parts.add(in.toString());
        return String.join("\t", parts);
    }

    private static void assertSameAsKeras(Check c) {
        List<Path> outputs = c.entry().outputs();
        for (int i = 0; i < outputs.size(); i++) {
            float[] ours = Npy.read(c.predictions().resolve("output_" + i + ".npy")).toFloatArray();
            float[] keras = Npy.read(outputs.get(i)).toFloatArray();
            assertThat(ours).as("%s %s", c.entry().id(), c.what()).hasSameSizeAs(keras);
            for (int k = 0; k < ours.length; k++) {
                assertThat((double) Math.abs(ours[k] - keras[k])).as("%s %s output %d[%d]", c.entry().id(), c.what(), i, k)
                        .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(keras[k])));
            }
        }
    }

    /** Custom and Lambda layers need the user's Java layers (the runtime test jar's, which shares a package). */
    private static boolean needsUserCode(Zoo.Entry e) {
        return e.custom() || e.layers().stream().map(l -> l.getString("class_name", "")).anyMatch("Lambda"::equals);
    }

    /**
     * The main jars (or classes directories) of this test's class path: keras4j's modules, the third-party codec and
     * their dependencies, without test classes, test jars, the test frameworks and the tests' logging backend.
     */
    private static List<String> modulePath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> out = Arrays.stream(cp.split(File.pathSeparator))
                .filter(s -> !s.isBlank() && Files.exists(Path.of(s)))
                .filter(s -> !s.endsWith("test-classes") && !s.endsWith("-tests.jar"))
                .filter(s -> !s.replace('\\', '/').matches(".*/(org/junit|org/assertj|org/opentest4j|org/apiguardian|net/bytebuddy|org/apache/maven|ch/qos/logback)/.*"))
                .toList();
        assertThat(out).as("module path from %s", cp).anyMatch(s -> s.contains("format-h5")).anyMatch(s -> s.contains("jhdf"));
        return out;
    }

    private Path compileApp(List<String> modulePath) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src/app"));
        Files.writeString(dir.resolve("src/module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("App.java"), APP);
        Path classes = dir.resolve("app-classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int code = javac.run(null, log, log, "--module-path", String.join(File.pathSeparator, modulePath), "-d", classes.toString(),
                dir.resolve("src/module-info.java").toString(), src.resolve("App.java").toString());
        assertThat(code).as("javac:%n%s", log).isZero();
        return classes;
    }
}
