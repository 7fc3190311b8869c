package io.keras4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.tensor.Npy;
import io.keras4j.testing.Fixtures;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged distribution as users run it, in separate JVMs: {@code bin/keras4j} (the jar's manifest class path),
 * and the same jars on the module path ({@code java --module-path keras4j-cli.jar:lib -m io.keras4j.cli}), where a
 * module that cannot be resolved, or a dependency the descriptors forgot, fails the run. Runs after {@code package}.
 */
@Tag("distribution")
class DistributionIT {
    private static final Path DIST = Path.of(System.getProperty("keras4j.dist", "target/keras4j")).toAbsolutePath();
    private static final Path ZOO = Fixtures.root().resolve("fixtures/zoo");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir Path dir;

    record Run(int code, String out, String err) {
        Run ok() {
            assertThat(code).as("exit code; stderr:%n%s", err).isZero();
            // The JVM's and the libraries' noise (module warnings, CDS notes, jhdf's version warning) stays off.
            assertThat(err).as("stderr").isEmpty();
            return this;
        }
    }

    static Run run(Map<String, String> env, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("keras4j-dist", ".out");
        Path err = Files.createTempFile("keras4j-dist", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            // A guard against a hung child, not a timing assertion.
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("hung: " + command);
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The CLI on the module path, with nothing but the distribution's jars and no --add-modules. */
    static Run onModulePath(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "--module-path",
                DIST.resolve("keras4j-cli.jar") + java.io.File.pathSeparator + DIST.resolve("lib"),
                "-m", "io.keras4j.cli/io.keras4j.cli.Main"));
        cmd.addAll(List.of(args));
        return run(Map.of(), cmd);
    }

    Run launcher(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(DIST.resolve("bin/keras4j").toString()));
        cmd.addAll(List.of(args));
        return run(Map.of("JAVA_HOME", System.getProperty("java.home"), "KERAS4J_CACHE", dir.resolve("cache").toString()), cmd);
    }

    @Test
    void theLauncherRunsTheJarAndKeepsAStartupArchive() throws Exception {
        assertThat(DIST.resolve("bin/keras4j")).isExecutable();
        Path model = ZOO.resolve("resnet/k2/model.h5");
        Run first = launcher("info", "--json", model.toString()).ok();
        assertThat(KerasJson.parse(first.out(), model).asObject().getString("format", "")).isEqualTo("h5");
        // The first run dumped the AppCDS archive; the second maps it and must answer the same.
        try (Stream<Path> s = Files.list(dir.resolve("cache"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).singleElement().asString().endsWith(".jsa");
        }
        assertThat(launcher("info", "--json", model.toString()).ok().out()).isEqualTo(first.out());
        Run noCds = run(Map.of("JAVA_HOME", System.getProperty("java.home"), "KERAS4J_CDS", "0"),
                List.of(DIST.resolve("bin/keras4j").toString(), "info", "--json", model.toString())).ok();
        assertThat(noCds.out()).isEqualTo(first.out());
    }

    @Test
    void theLauncherReportsErrorsWithTheCliExitCodes() throws Exception {
        Path notKeras = Files.writeString(dir.resolve("notes.txt"), "not a model");
        Run r = launcher("info", notKeras.toString());
        assertThat(r.code()).isEqualTo(Main.UNKNOWN_FORMAT);
        assertThat(r.err()).contains(notKeras.toString());
    }

    /** plot's layout library (ELK, EMF, Guava) resolves on the module path and is on the launcher's class path. */
    @Test
    void plotRunsOnTheModulePathAndThroughTheLauncher() throws Exception {
        Path model = ZOO.resolve("resnet/k2/model.h5");
        Path modulePath = dir.resolve("module-path.svg");
        onModulePath("plot", model.toString(), "--out", modulePath.toString()).ok();
        Path launched = dir.resolve("launcher.svg");
        launcher("plot", model.toString(), "--out", launched.toString()).ok();
        assertThat(Files.readString(modulePath)).startsWith("<svg").contains("class=\"layer").isEqualTo(Files.readString(launched));
        // plot never dumps the startup archive (JDK 17 crashes dumping lambdas of ELK's signed jars), but maps one.
        assertThat(dir.resolve("cache")).doesNotExist();
        launcher("info", model.toString()).ok();
        Path mapped = dir.resolve("mapped.svg");
        launcher("plot", model.toString(), "--out", mapped.toString()).ok();
        assertThat(Files.readString(mapped)).isEqualTo(Files.readString(launched));
    }

    /** Every model of the zoo that needs no user code, predicted on the module path, against Keras's outputs. */
    @TestFactory
    Stream<DynamicTest> predictOnTheModulePathMatchesKeras() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonObject e : zooModels()) {
            String id = e.getString("model", "") + "/" + e.getString("gen", "");
            List<List<String>> sources = new ArrayList<>();
            file(e, e.getString("gen", "").equals("k3") ? "keras" : "h5").ifPresent(p -> sources.add(List.of(p)));
            if (e.getString("model", "").equals("cnn")) {
                // One model through every other reader: the protobuf ones (SavedModel, checkpoint) and JSON.
                file(e, "json").ifPresent(j -> file(e, "checkpoint").ifPresent(c -> sources.add(List.of(j, "--weights", c))));
                if (e.getString("gen", "").equals("k2")) file(e, "savedmodel").ifPresent(p -> sources.add(List.of(p)));
            }
            for (List<String> source : sources) {
                tests.add(DynamicTest.dynamicTest(id + " " + Path.of(source.get(source.size() - 1)).getFileName(),
                        () -> assertPredictsLikeKeras(e, source)));
            }
        }
        return tests.stream();
    }

    /** Every writer on the module path, judged by predicting from what it wrote (on the module path too). */
    @TestFactory
    Stream<DynamicTest> convertOnTheModulePathThenPredict() {
        JsonObject e = zooModels().stream().filter(m -> m.getString("model", "").equals("cnn") && m.getString("gen", "").equals("k3"))
                .findFirst().orElseThrow();
        String source = file(e, "keras").orElseThrow();
        return Stream.of("model.h5", "model.keras", "savedmodel", "model.json").map(target -> DynamicTest.dynamicTest(target, () -> {
            Path out = dir.resolve(target);
            onModulePath("convert", source, out.toString()).ok();
            if (target.endsWith(".json")) {
                Path weights = dir.resolve("w.weights.h5");
                onModulePath("convert", source, weights.toString()).ok();
                assertPredictsLikeKeras(e, List.of(out.toString(), "--weights", weights.toString()));
            } else {
                assertPredictsLikeKeras(e, List.of(out.toString()));
            }
        }));
    }

    @Test
    void codecsOnTheModulePathListsEveryCodecAndNoProblem() throws Exception {
        String out = onModulePath("codecs").ok().out();
        for (var k : io.keras4j.spi.KnownFormats.ALL) assertThat(out).containsPattern("(?m)^" + k.codec() + "\\s");
        assertThat(out).doesNotContain("PROBLEM");
    }

    /** The zip and the tar.gz hold exactly the tree the launcher runs, the launcher executable in both. */
    @Test
    void theArchivesHoldTheDistribution() throws Exception {
        TreeSet<String> expected = new TreeSet<>();
        try (Stream<Path> s = Files.walk(DIST)) {
            s.filter(Files::isRegularFile).forEach(p -> expected.add(DIST.relativize(p).toString().replace('\\', '/')));
        }
        assertThat(expected).contains("bin/keras4j", "keras4j-cli.jar", "README.md").anyMatch(n -> n.startsWith("lib/jhdf-"));
        Path target = DIST.getParent();
        List<Path> zips;
        try (Stream<Path> s = Files.list(target)) {
            zips = s.filter(p -> p.getFileName().toString().matches("keras4j-.*\\.(zip|tar\\.gz)")).sorted().toList();
        }
        assertThat(zips).hasSize(2);
        for (Path archive : zips) {
            Map<String, Integer> modes = archive.toString().endsWith(".zip") ? zipModes(archive) : tarModes(archive);
            String base = archive.getFileName().toString().replaceAll("\\.(zip|tar\\.gz)$", "") + "/";
            TreeSet<String> names = new TreeSet<>();
            for (String n : modes.keySet()) {
                assertThat(n).as(archive + " entry").startsWith(base);
                names.add(n.substring(base.length()));
            }
            assertThat(names).as(archive.toString()).isEqualTo(expected);
            assertThat(modes.get(base + "bin/keras4j") & 0111).as(archive + ": bin/keras4j executable").isEqualTo(0111);
        }
    }

    private static Map<String, Integer> zipModes(Path zip) throws IOException {
        Map<String, Integer> modes = new TreeMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            // The unix mode sits in the upper half of the external attributes, which ZipFile does not expose:
            // read each central directory record's own copy.
            byte[] all = Files.readAllBytes(zip);
            for (int i = 0; i + 46 <= all.length; i++) {
                if (all[i] == 'P' && all[i + 1] == 'K' && all[i + 2] == 1 && all[i + 3] == 2) {
                    int nameLen = u16(all, i + 28);
                    long external = u16(all, i + 38) | ((long) u16(all, i + 40) << 16);
                    String name = new String(all, i + 46, nameLen, StandardCharsets.UTF_8);
                    if (!name.endsWith("/")) modes.put(name, (int) (external >>> 16) & 07777);
                    i += 45 + nameLen;
                }
            }
            assertThat(modes.size()).as("%s central directory", zip)
                    .isEqualTo(z.stream().filter(en -> !en.isDirectory()).count());
        }
        return modes;
    }

    private static int u16(byte[] b, int at) { return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8; }

    /** Regular files of a ustar archive and their modes. */
    private static Map<String, Integer> tarModes(Path tgz) throws IOException {
        Map<String, Integer> modes = new TreeMap<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz)); DataInputStream data = new DataInputStream(in)) {
            byte[] header = new byte[512];
            String longName = null;
            while (true) {
                data.readFully(header);
                if (header[0] == 0) break;
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                if (!prefix.isEmpty()) name = prefix + "/" + name;
                long size = Long.parseLong(field(header, 124, 12).trim(), 8);
                int mode = Integer.parseInt(field(header, 100, 8).trim(), 8);
                byte type = header[156];
                byte[] body = new byte[(int) ((size + 511) / 512 * 512)];
                data.readFully(body);
                if (type == 'L') {
                    longName = new String(body, 0, (int) size, StandardCharsets.UTF_8).replace("\0", "");
                    continue;
                }
                if (longName != null) {
                    name = longName;
                    longName = null;
                }
                if (type == '0' || type == 0) modes.put(name, mode & 07777);
            }
        }
        return modes;
    }

    private static String field(byte[] header, int at, int length) {
        int end = at;
        while (end < at + length && header[end] != 0) end++;
        return new String(header, at, end - at, StandardCharsets.UTF_8);
    }

    private void assertPredictsLikeKeras(JsonObject e, List<String> source) throws Exception {
        List<String> args = new ArrayList<>(List.of("predict"));
        args.addAll(source);
        for (JsonValue in : e.getArray("inputs")) args.addAll(List.of("--input", ZOO.resolve(in.asText()).toString()));
        Path out = Files.createTempDirectory(dir, "pred");
        args.addAll(List.of("--out", out.toString()));
        onModulePath(args.toArray(String[]::new)).ok();
        List<JsonValue> outputs = e.getArray("outputs").values();
        for (int i = 0; i < outputs.size(); i++) {
            float[] ours = Npy.read(out.resolve("output_" + i + ".npy")).toFloatArray();
            float[] keras = Npy.read(ZOO.resolve(outputs.get(i).asText())).toFloatArray();
            assertThat(ours).hasSameSizeAs(keras);
            for (int k = 0; k < ours.length; k++) {
                assertThat((double) Math.abs(ours[k] - keras[k])).as("output %d[%d]", i, k)
                        .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(keras[k])));
            }
        }
    }

    /** The committed zoo's models, less those with custom or Lambda layers (they need the user's Java layers). */
    private static List<JsonObject> zooModels() {
        try {
            Path m = ZOO.resolve("manifest.json");
            List<JsonObject> out = new ArrayList<>();
            for (JsonValue v : KerasJson.parse(Files.readString(m), m).asObject().getArray("models")) {
                JsonObject e = v.asObject();
                boolean userCode = !e.getArray("custom_objects").isEmpty() || e.getArray("layers").values().stream()
                        .anyMatch(l -> l.asObject().getString("class_name", "").equals("Lambda"));
                if (!userCode) out.add(e);
            }
            assertThat(out).as("zoo models without user code").hasSizeGreaterThan(10);
            return out;
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static java.util.Optional<String> file(JsonObject e, String format) {
        return e.getArray("files").values().stream().map(JsonValue::asObject).filter(f -> f.getString("format", "").equals(format))
                .findFirst().map(f -> ZOO.resolve(f.getString("path", "")).toString());
    }
}
