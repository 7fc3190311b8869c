package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.CodecFailureException;
import io.keras4j.Keras4j;
import io.keras4j.Keras4jException;
import io.keras4j.core.KerasJson;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue #14's campaign: every file of a committed fixture of each format and writer truncated at every offset of its
 * first 4 KiB and at 200 later ones, plus seeded mutations (bit flips, byte sets, block duplication and deletion,
 * length-field bumps) per format. Every load must end in a model or a documented {@link Keras4jException}
 * (corrupt, unsupported), never a codec bug ({@link CodecFailureException}), an escaped runtime exception or an
 * error, OutOfMemoryError included: the surefire execution "campaign" runs this class alone at -Xmx256m. A format
 * that carries checksums (the {@code .keras} zip's CRC-32, a checkpoint's CRC32C) must never load into a model that
 * predicts differently, and a cut JSON or YAML (whose ends show) must never load as another model. Loads over 2 s are counted and printed; a load over {@link #DEADLINE_SECONDS} fails the
 * test as a hang (a hang detector, not a speed test).
 */
@Tag("campaign")
class MutationCampaignTest {
    private static final Keras4j KERAS = Keras4j.create();
    /**
     * The full count (-Dkeras4j.campaign.full=true, 213,808 loads) takes about 5.5 CPU minutes, 10 to 15
     * minutes on 2 shared cores: too long for every build, which runs a slice of the same campaign (37,164 loads).
     * Each figure can also be set on its own.
     */
    private static final boolean FULL = Boolean.getBoolean("keras4j.campaign.full");
    /** Truncation offsets: every one of the first {@code head} bytes, plus {@code later} seeded ones after them. */
    private static final int HEAD = Integer.getInteger("keras4j.campaign.head", FULL ? 4096 : 512);
    private static final int LATER = Integer.getInteger("keras4j.campaign.later", 200);
    /** Seeded mutations per format, shared between the fixtures of that format. */
    private static final int MUTATIONS = Integer.getInteger("keras4j.campaign.mutations", FULL ? 10_000 : 1_500);
    private static final long SLOW_MILLIS = 2_000;
    /** Only a hang or a runaway loop over a claimed size would take this long on one small damaged file. */
    private static final long DEADLINE_SECONDS = 30;

    /** One fixture: a file or folder a format's reader loads, from one model and writer. */
    record Unit(String format, String model, String gen, boolean checksummed) {
        boolean isText() { return format.equals("json") || format.equals("yaml"); }

        /** Weights alone, loaded onto the model's JSON architecture (Keras 3's SavedModel export holds no config). */
        boolean weightsOnly() {
            return format.startsWith("weights") || format.equals("checkpoint") || format.equals("savedmodel") && gen.equals("k3");
        }

        @Override public String toString() { return format + " " + model + "-" + gen; }
    }

    /** -Dkeras4j.campaign.only=FORMAT,… runs the fixtures of those formats alone (to rerun a finding). */
    static Stream<Unit> units() {
        List<String> only = List.of(System.getProperty("keras4j.campaign.only", "").split(","));
        return allUnits().filter(u -> only.equals(List.of("")) || only.contains(u.format()));
    }

    private static Stream<Unit> allUnits() {
        return Stream.of(
                new Unit("json", "rnn", "k2", false), new Unit("yaml", "rnn", "k2", false),
                new Unit("h5", "cnn", "k2", false), new Unit("h5", "cnn", "k3", false),
                new Unit("weights-h5", "cnn", "k3", false), new Unit("weights-h5-k2", "rnn", "k2", false),
                new Unit("weights-sharded", "mlp", "k3", false),
                new Unit("keras", "cnn", "k3", true), new Unit("keras", "cnn", "k2", true),
                new Unit("keras", "attention", "k3", true), new Unit("keras-dir", "cnn", "k3", false),
                new Unit("checkpoint", "cnn", "k2", true), new Unit("checkpoint", "rnn", "k3", true),
                new Unit("savedmodel", "cnn", "k2", false), new Unit("savedmodel", "cnn", "k3", false),
                new Unit("npy", "cnn", "k3", false));
    }

    private static final Map<String, Long> UNITS_PER_FORMAT = new TreeMap<>();
    private static final TreeMap<String, Integer> TOTALS = new TreeMap<>();
    private static long files, truncations, mutations, loads, slow, oom, slowestMillis;
    private static ExecutorService worker;

    @TempDir static Path dir;

    @BeforeAll
    static void start() {
        allUnits().forEach(u -> UNITS_PER_FORMAT.merge(u.format(), 1L, Long::sum));
        worker = newWorker();
    }

    @AfterAll
    static void summary() {
        worker.shutdownNow();
        System.out.printf("mutation campaign total: %d files, %d truncations, %d mutations, %d loads, outcomes %s,"
                        + " %d OutOfMemoryError, %d loads over %d ms, slowest %d ms (max heap %d MiB)%n",
                files, truncations, mutations, loads, TOTALS, oom, slow, SLOW_MILLIS, slowestMillis,
                Runtime.getRuntime().maxMemory() >> 20);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("units")
    void damagedFilesEndInAModelOrADocumentedRefusalAndChecksummedOnesNeverPredictDifferently(Unit u) throws Exception {
        Zoo.Entry e = Zoo.committed().entries().stream().filter(x -> x.model().equals(u.model()) && x.gen().equals(u.gen()))
                .findFirst().orElseThrow();
        Path json = e.file("json").orElseThrow();
        Path file = switch (u.format()) {
            case "npy" -> e.inputs().get(0);
            case "yaml" -> {
                // No writer of Keras's time left a YAML fixture; keras4j's own YAML (which Keras 2 reads) stands in.
                Path yaml = dir.resolve("yaml-" + e.id() + "/model.yaml");
                Files.createDirectories(yaml.getParent());
                KERAS.save(KERAS.load(json), yaml);
                yield yaml;
            }
            default -> e.file(u.format()).orElseThrow(() -> new AssertionError(e.id() + " has no " + u.format() + " file"));
        };
        // A checkpoint prefix and sharded weights are several files in one folder: damage any of them.
        boolean folder = u.format().equals("checkpoint") || u.format().equals("weights-sharded");
        Path original = folder ? file.getParent() : file;
        Path work = copy(original, dir.resolve("work-" + u.format() + "-" + e.id()));
        Path entry = folder ? work.resolve(file.getFileName().toString()) : work;
        List<Tensor> inputs = e.inputs().stream().map(Npy::read).toList();
        Object reference = behaviour(load(entry, u, json), inputs);

        Campaign c = new Campaign(u, entry, json, inputs, reference);
        List<Path> victims = regularFiles(work);
        Random random = new Random((u.toString()).hashCode());
        int truncated = 0;
        for (Path victim : victims) {
            byte[] bytes = Files.readAllBytes(victim);
            for (int offset : truncationOffsets(bytes.length, random)) {
                c.run(victim, bytes, Arrays.copyOf(bytes, offset), "truncated to " + offset + " bytes");
                truncated++;
            }
        }
        long share = MUTATIONS / UNITS_PER_FORMAT.get(u.format()) + 1;
        List<byte[]> originals = new ArrayList<>();
        for (Path v : victims) originals.add(Files.readAllBytes(v));
        for (int i = 0; i < share; i++) {
            int which = random.nextInt(victims.size());
            byte[] bytes = originals.get(which);
            StringBuilder what = new StringBuilder();
            byte[] damaged = mutate(bytes, random, what);
            c.run(victims.get(which), bytes, damaged, what.toString());
        }
        synchronized (MutationCampaignTest.class) {
            files += victims.size();
            truncations += truncated;
            mutations += share;
            loads += c.loads;
            slow += c.slow;
            oom += c.oom;
            slowestMillis = Math.max(slowestMillis, c.slowest);
            c.outcomes.forEach((k, v) -> TOTALS.merge(k, v, Integer::sum));
        }
        System.out.printf("mutation campaign %s: %d files, %d truncations, %d mutations, %s, %d over %d ms, slowest %d ms%n",
                u, victims.size(), truncated, share, c.outcomes, c.slow, SLOW_MILLIS, c.slowest);
        assertThat(c.defects).as("damaged %s files: %d loads; first defects", u, c.loads).isEmpty();
    }

    /** Runs the damaged copies of one fixture and keeps their outcomes. */
    private static final class Campaign {
        final Unit unit;
        final Path entry, json;
        final List<Tensor> inputs;
        final Object reference;
        final TreeMap<String, Integer> outcomes = new TreeMap<>();
        final List<String> defects = new ArrayList<>();
        long loads, slow, oom, slowest;

        Campaign(Unit unit, Path entry, Path json, List<Tensor> inputs, Object reference) {
            this.unit = unit;
            this.entry = entry;
            this.json = json;
            this.inputs = inputs;
            this.reference = reference;
        }

        void run(Path victim, byte[] original, byte[] damaged, String damage) throws IOException, InterruptedException {
            replace(victim, damaged);
            String where = victim.getFileName() + " " + damage;
            long start = System.nanoTime();
            Future<Object> result = worker.submit(() -> behaviour(load(entry, unit, json), inputs));
            try {
                Object got = result.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
                boolean same = got.equals(reference);
                String kind = damage.startsWith("truncated") ? "truncated" : "mutated";
                count(kind + ", loaded, " + (same ? "same behaviour" : "other behaviour"));
                if (!same && unit.checksummed()) defect(where + ": loaded and predicts differently though the format is checksummed");
                // A text architecture shows its end (JSON its closing brackets, YAML its end marker or Keras's
                // keras_version after the config): a cut copy must never load as another model.
                if (!same && kind.equals("truncated") && unit.isText()) defect(where + ": a cut text file loaded as another model");
            } catch (TimeoutException ex) {
                result.cancel(true);
                worker.shutdownNow();
                worker = newWorker();
                defect(where + ": no outcome after " + DEADLINE_SECONDS + " s (a hang)");
            } catch (ExecutionException ex) {
                Throwable t = ex.getCause();
                if (t instanceof OutOfMemoryError) oom++;
                if (t instanceof CodecFailureException) defect(where + ": codec bug: " + t.getMessage());
                else if (t instanceof Keras4jException) count("refused: " + t.getClass().getSimpleName());
                else defect(where + ": escaped " + t + " at " + Arrays.stream(t.getStackTrace()).limit(8).toList());
            } finally {
                long millis = (System.nanoTime() - start) / 1_000_000;
                loads++;
                if (millis > SLOW_MILLIS) slow++;
                slowest = Math.max(slowest, millis);
                replace(victim, original);
            }
        }

        private void count(String outcome) { outcomes.merge(outcome, 1, Integer::sum); }

        private void defect(String what) {
            count("defect");
            if (defects.size() < 20) defects.add(what);
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "campaign-load");
            t.setDaemon(true);
            return t;
        });
    }

    /** Every offset below {@link #HEAD}, then {@link #LATER} distinct seeded ones up to the end (exclusive). */
    static List<Integer> truncationOffsets(int length, Random random) {
        TreeSet<Integer> offsets = new TreeSet<>();
        for (int i = 0; i < Math.min(HEAD, length); i++) offsets.add(i);
        int rest = length - HEAD;
        if (rest > 0) {
            if (rest <= LATER) for (int i = HEAD; i < length; i++) offsets.add(i);
            else while (offsets.size() < HEAD + LATER) offsets.add(HEAD + random.nextInt(rest));
        }
        return List.copyOf(offsets);
    }

    /** One seeded mutation of a copy of {@code bytes}; {@code what} says which, for the report. */
    static byte[] mutate(byte[] bytes, Random random, StringBuilder what) {
        byte[] b = bytes.clone();
        int n = b.length;
        if (n == 0) return b;
        int at = random.nextInt(n);
        switch (random.nextInt(5)) {
            case 0 -> {
                what.append("bits flipped at (offset.bit)");
                for (int j = random.nextInt(4); j >= 0; j--) {
                    int o = random.nextInt(n);
                    int bit = random.nextInt(8);
                    b[o] ^= (byte) (1 << bit);
                    what.append(' ').append(o).append('.').append(bit);
                }
            }
            case 1 -> {
                int len = Math.min(n - at, 1 + random.nextInt(8));
                byte value = (byte) new int[] {0, 0xff, 0x7f, 0x80, random.nextInt(256)}[random.nextInt(5)];
                Arrays.fill(b, at, at + len, value);
                what.append(len).append(" bytes set to ").append(value & 0xff).append(" at ").append(at);
            }
            case 2 -> {
                int len = Math.min(n - at, 1 + random.nextInt(256));
                byte[] out = new byte[n + len];
                System.arraycopy(b, 0, out, 0, at + len);
                System.arraycopy(b, at, out, at + len, n - at);
                what.append(len).append(" bytes at ").append(at).append(" duplicated");
                return out;
            }
            case 3 -> {
                int len = Math.min(n - at, 1 + random.nextInt(256));
                byte[] out = new byte[n - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, n - at - len);
                what.append(len).append(" bytes at ").append(at).append(" deleted");
                return out;
            }
            default -> {
                // A length field: a 2-, 4- or 8-byte integer, either byte order, nudged or set to an extreme.
                int width = new int[] {2, 4, 8}[random.nextInt(3)];
                if (n < width) return b;
                at = random.nextInt(n - width + 1);
                ByteBuffer buf = ByteBuffer.wrap(b, at, width).order(random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
                long old = width == 2 ? buf.getShort(at) : width == 4 ? buf.getInt(at) : buf.getLong(at);
                long[] choices = {old + 1, old - 1, old + 1 + random.nextInt(1 << 16), old * 2, -1, Long.MAX_VALUE,
                        Integer.MAX_VALUE, 1L << 31, 1L << 32, 0};
                long v = choices[random.nextInt(choices.length)];
                if (width == 2) buf.putShort(at, (short) v);
                else if (width == 4) buf.putInt(at, (int) v);
                else buf.putLong(at, v);
                what.append(width).append("-byte ").append(buf.order()).append(" field at ").append(at)
                        .append(" set from ").append(old).append(" to ").append(v);
            }
        }
        return b;
    }

    static Object load(Path source, Unit unit, Path json) {
        if (unit.format().equals("npy")) return Npy.read(source);
        return unit.weightsOnly() ? KERAS.loadWithWeights(json, source) : KERAS.load(source);
    }

    /** What a load gives: its predictions, for an architecture alone (nothing to run) its config, for npy its values. */
    static Object behaviour(Object loaded, List<Tensor> inputs) {
        if (loaded instanceof Tensor t) return Arrays.toString(t.shape()) + Arrays.toString(t.toFloatArray());
        Model model = (Model) loaded;
        if (model.layers().stream().allMatch(l -> l.weights().isEmpty())) return KerasJson.write(model, model.dialect());
        return CompiledModel.compile(model).predictTensors(inputs).stream()
                .map(t -> Arrays.toString(t.toFloatArray())).toList();
    }

    /** Replaced by a rename, so that a model still holding the previous file never sees these bytes. */
    private static void replace(Path victim, byte[] bytes) throws IOException {
        Path tmp = victim.resolveSibling(".campaign.tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, victim, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<Path> regularFiles(Path unit) throws IOException {
        if (!Files.isDirectory(unit)) return List.of(unit);
        try (Stream<Path> s = Files.walk(unit)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static Path copy(Path original, Path into) throws IOException {
        Files.createDirectories(into);
        Path target = into.resolve(original.getFileName().toString());
        if (!Files.isDirectory(original)) return Files.copy(original, target);
        try (Stream<Path> s = Files.walk(original)) {
            for (Path p : s.toList()) {
                Path d = target.resolve(original.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(d);
                else Files.copy(p, d);
            }
        }
        return target;
    }
}
