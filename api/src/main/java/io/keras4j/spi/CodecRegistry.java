package io.keras4j.spi;

import io.keras4j.CodecNotInstalledException;
import io.keras4j.Keras4jException;
import io.keras4j.UnknownFormatException;
import io.keras4j.UnknownFormatException.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable set of codecs. Chooses a codec by explicit name, else by the configured preferred name, else by the
 * strongest probe; ties are broken by {@link Codec#rank()}, then by name, never by class-path order.
 * Build one with {@link #builder()} or {@link #discover(ClassLoader)}; there is no global instance.
 */
public final class CodecRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(CodecRegistry.class);
    private static final Comparator<Codec> PREFERENCE =
            Comparator.comparingInt(Codec::rank).reversed().thenComparing(Codec::name);

    private final Map<String, Codec> byName;
    private final List<String> problems;
    private final String preferred;

    private CodecRegistry(Builder b) {
        this.byName = Map.copyOf(b.codecs);
        this.problems = List.copyOf(b.problems);
        this.preferred = b.preferred;
    }

    public static Builder builder() { return new Builder(); }

    /** Every codec the class loader's {@link ServiceLoader} finds. */
    public static CodecRegistry discover(ClassLoader loader) { return builder().discover(loader).build(); }

    /** Codecs sorted by name. */
    public List<Codec> codecs() {
        return byName.values().stream().sorted(Comparator.comparing(Codec::name)).toList();
    }

    /** Problems met while loading codecs: providers that failed to load, duplicate names. */
    public List<String> problems() { return problems; }

    public Optional<Codec> find(String name) { return Optional.ofNullable(byName.get(name.toLowerCase(Locale.ROOT))); }

    /** The codec of that name, or a {@link CodecNotInstalledException} naming the module to add. */
    public Codec require(String name) {
        return find(name).orElseThrow(() -> notInstalled(name, null));
    }

    /** The best codec for an existing input, with every verdict, or an {@link UnknownFormatException}. */
    public Detection detect(Path input) { return detect(input, null); }

    /** As {@link #detect(Path)}, but an explicit format name wins when given (and must be installed). */
    public Detection detect(Path input, String explicitName) {
        if (explicitName != null) return new Detection(require(explicitName), MatchStrength.FULL, List.of());
        ProbeInput probeInput = ProbeInput.of(input);
        List<Verdict> verdicts = new ArrayList<>();
        Codec best = null;
        MatchStrength bestStrength = MatchStrength.NO_MATCH;
        for (Codec c : byName.values().stream().sorted(PREFERENCE).toList()) {
            MatchStrength s;
            String note = null;
            try {
                s = c.probe(probeInput);
                if (s == null) s = MatchStrength.NO_MATCH;
            } catch (Exception | LinkageError e) {
                s = MatchStrength.NO_MATCH;
                note = "probe failed: " + e;
                LOG.debug("probe of codec {} failed on {}", c.name(), input, e);
            }
            verdicts.add(new Verdict(c.name(), s, note));
            boolean preferredTie = s == bestStrength && preferred != null && c.name().equals(preferred);
            if (s.compareTo(bestStrength) > 0 || preferredTie) {
                best = c;
                bestStrength = s;
            }
        }
        if (best == null || bestStrength.compareTo(MatchStrength.WEAK) < 0) {
            if (!probeInput.exists() && probeInput.withSuffix(".index").isEmpty()) {
                throw new Keras4jException("no such file or directory: " + input);
            }
            Optional<KnownFormats.Known> known = KnownFormats.sniff(probeInput);
            if (known.isPresent() && find(known.get().codec()).isEmpty()) throw notInstalled(known.get().codec(), input);
            throw new UnknownFormatException(input, verdicts, null);
        }
        return new Detection(best, bestStrength, List.copyOf(verdicts));
    }

    /**
     * The codec to write {@code target}: the explicit name when given, else the codec whose target suffix is the
     * longest match of the file name (Keras's own rule: {@code .keras}, {@code .h5}, {@code .weights.h5}, …),
     * else the codec claiming the empty suffix (a directory: SavedModel).
     */
    public Codec forTarget(Path target, String explicitName) {
        if (explicitName != null) return require(explicitName);
        String file = target.getFileName() == null ? "" : target.getFileName().toString().toLowerCase(Locale.ROOT);
        Codec best = null;
        int bestLength = -1;
        for (Codec c : byName.values().stream().sorted(PREFERENCE).toList()) {
            for (String suffix : c.targetSuffixes()) {
                boolean matches = suffix.isEmpty() ? !file.contains(".") : file.endsWith(suffix);
                if (matches && suffix.length() > bestLength) {
                    best = c;
                    bestLength = suffix.length();
                }
            }
        }
        if (best == null) {
            throw new Keras4jException("cannot tell the format to write from the name '" + file
                    + "'; name the format explicitly (installed: " + byName.keySet().stream().sorted().toList() + ")");
        }
        return best;
    }

    private CodecNotInstalledException notInstalled(String name, Path input) {
        Optional<KnownFormats.Known> known = KnownFormats.byName(name);
        String what = input == null ? "codec '" + name + "' was requested" : input + " looks like " + known.map(KnownFormats.Known::what).orElse(name);
        String fix = known.map(k -> "; its codec '" + k.codec() + "' is in module io.keras4j:" + k.artifact()
                + ", which is not on the class path: add it as a dependency").orElse(
                "; no installed codec has that name (installed: " + byName.keySet().stream().sorted().toList() + ")");
        return new CodecNotInstalledException(name, what + fix);
    }

    /** The chosen codec, how strongly it matched, and what every codec answered. */
    public record Detection(Codec codec, MatchStrength strength, List<Verdict> verdicts) {}

    public static final class Builder {
        private final Map<String, Codec> codecs = new LinkedHashMap<>();
        private final List<String> problems = new ArrayList<>();
        private String preferred;

        /** Adds a codec; a second codec of the same name is reported and the one of higher rank (then first) kept. */
        public Builder add(Codec codec) {
            String name = codec.name();
            if (name == null || !name.equals(name.toLowerCase(Locale.ROOT)) || name.isBlank()) {
                problems.add("codec " + codec.getClass().getName() + " has an invalid name '" + name + "' (lowercase required)");
                return this;
            }
            Codec existing = codecs.get(name);
            if (existing != null) {
                Codec keep = existing.rank() >= codec.rank() ? existing : codec;
                Codec drop = keep == existing ? codec : existing;
                problems.add("two codecs named '" + name + "': kept " + keep.getClass().getName() + ", ignored "
                        + drop.getClass().getName());
                codecs.put(name, keep);
                return this;
            }
            codecs.put(name, codec);
            return this;
        }

        /** Adds every codec the loader's {@link ServiceLoader} provides; providers that fail are reported, not fatal. */
        public Builder discover(ClassLoader loader) {
            var it = ServiceLoader.load(Codec.class, loader).iterator();
            while (true) {
                try {
                    if (!it.hasNext()) break;
                    add(it.next());
                } catch (ServiceConfigurationError | LinkageError e) {
                    problems.add("a codec failed to load: " + e.getMessage());
                    LOG.warn("a codec failed to load", e);
                }
            }
            return this;
        }

        /** On equally strong probes, prefer this codec (a configured default). */
        public Builder preferred(String codecName) { this.preferred = codecName; return this; }

        public CodecRegistry build() { return new CodecRegistry(this); }
    }
}
