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
 * An immutable set of codecs. Chooses a codec by explicit name, else by the strongest probe (or, to write, the longest
 * matching target suffix); ties are broken by the preferred codec ({@link #preferring}, or the system property
 * {@value #PREFER_PROPERTY} for {@link #discover}), then by {@link CodecInfo#rank()}, then by name, never by
 * class-path order. Two codecs of the same name: the one of higher rank is kept, then the one whose class name sorts
 * first; {@link #problems()} names both classes. Build one with {@link #builder()} or {@link #discover(ClassLoader)};
 * there is no global instance.
 */
public final class CodecRegistry {
    /** The system property naming the codec {@link #discover} prefers when probes tie, e.g. {@code -Dkeras4j.codec.prefer=h5}. */
    public static final String PREFER_PROPERTY = "keras4j.codec.prefer";

    private static final Logger LOG = LoggerFactory.getLogger(CodecRegistry.class);

    private final Map<String, Codec> byName;
    private final Map<String, CodecInfo> infos;
    private final List<String> problems;
    private final String preferred;
    /** Every codec's name in the order ties are broken: the preferred one, then higher rank, then name. */
    private final List<String> tieOrder;

    private CodecRegistry(Map<String, Codec> byName, Map<String, CodecInfo> infos, List<String> problems, String preferred) {
        this.byName = Map.copyOf(byName);
        this.infos = Map.copyOf(infos);
        this.problems = List.copyOf(problems);
        this.preferred = preferred;
        Comparator<String> order = Comparator.comparing((String n) -> !n.equals(preferred))
                .thenComparing(n -> -this.infos.get(n).rank()).thenComparing(Comparator.naturalOrder());
        this.tieOrder = this.byName.keySet().stream().sorted(order).toList();
    }

    public static Builder builder() { return new Builder(); }

    /**
     * Every codec the class loader's {@link ServiceLoader} finds, preferring the codec the system property
     * {@value #PREFER_PROPERTY} names (if set; a name that is not installed is listed in {@link #problems()}).
     */
    public static CodecRegistry discover(ClassLoader loader) {
        return builder().discover(loader).preferred(System.getProperty(PREFER_PROPERTY)).build();
    }

    /**
     * This registry with {@code codecName} preferred when probes (or target suffixes) tie; {@code null} prefers none.
     *
     * @throws io.keras4j.CodecNotInstalledException when no installed codec has that name
     */
    public CodecRegistry preferring(String codecName) {
        if (codecName == null) return new CodecRegistry(byName, infos, problems, null);
        require(codecName);
        return new CodecRegistry(byName, infos, problems, codecName.toLowerCase(Locale.ROOT));
    }

    /** The codec preferred on ties, if one is. */
    public Optional<String> preferred() { return Optional.ofNullable(preferred); }

    /** Codecs sorted by name. */
    public List<Codec> codecs() {
        return byName.keySet().stream().sorted().map(byName::get).toList();
    }

    /** Problems met while loading codecs: providers that failed to load, duplicate names, a preference not installed. */
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
        for (String name : tieOrder) {
            Codec c = byName.get(name);
            MatchStrength s;
            String note = null;
            try {
                s = c.probe(probeInput);
                if (s == null) s = MatchStrength.NO_MATCH;
            } catch (Exception | LinkageError | OutOfMemoryError | StackOverflowError e) {
                // A probe only sniffs: one that breaks on a damaged file (a third party's, whose reads may not be
                // bounded, included) has not recognised it; the facade never lets such an error escape as such.
                s = MatchStrength.NO_MATCH;
                note = "probe failed: " + e;
                LOG.debug("probe of codec {} failed on {}", name, input, e);
            }
            verdicts.add(new Verdict(name, s, note));
            // Strictly stronger only: on a tie the codec earlier in tieOrder (preferred, higher rank, name) stays.
            if (s.compareTo(bestStrength) > 0) {
                best = c;
                bestStrength = s;
            }
        }
        if (best == null || bestStrength.compareTo(MatchStrength.WEAK) < 0) {
            if (!probeInput.exists() && probeInput.withSuffix(".index").isEmpty()) {
                throw new Keras4jException("no such file or directory: " + input + interruptedReplaceHint(input));
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
        for (String name : tieOrder) {
            Codec c = byName.get(name);
            for (String suffix : infos.get(name).targetSuffixes()) {
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

    /** Where a killed directory replace left the previous content of a now missing {@code input}, if it did. */
    private static String interruptedReplaceHint(Path input) {
        try {
            return OutputFiles.interruptedReplace(input)
                    .map(p -> " (a keras4j write was killed while replacing it; the previous content is in " + p
                            + ", and the next write to " + input.getFileName() + " moves it back first)")
                    .orElse("");
        } catch (java.io.IOException e) {
            return "";
        }
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
        private final Map<String, CodecInfo> infos = new LinkedHashMap<>();
        private final List<String> problems = new ArrayList<>();
        private String preferred;

        /**
         * Adds a codec. A codec whose {@link Codec#info()} fails or names it invalidly is reported in
         * {@link CodecRegistry#problems()} and left out. Of two codecs with the same name the one of higher rank is
         * kept, then the one whose class name sorts first (the same choice whatever the class-path order), then the
         * one added first (the same class twice); the problem and a warning name both classes.
         */
        public Builder add(Codec codec) {
            String type = codec.getClass().getName();
            CodecInfo info;
            try {
                info = codec.info();
            } catch (RuntimeException | LinkageError e) {
                problem("codec " + type + " cannot describe itself (info() failed): " + e);
                return this;
            }
            String name = info == null ? null : info.name();
            if (name == null || !name.equals(name.toLowerCase(Locale.ROOT)) || name.isBlank()) {
                problem("codec " + type + " has an invalid name '" + name + "' (lowercase required)");
                return this;
            }
            Codec existing = codecs.get(name);
            if (existing != null) {
                CodecInfo existingInfo = infos.get(name);
                int byRank = Integer.compare(info.rank(), existingInfo.rank());
                boolean replace = byRank > 0 || byRank == 0 && type.compareTo(existing.getClass().getName()) < 0;
                Codec keep = replace ? codec : existing;
                Codec drop = replace ? existing : codec;
                problem("two codecs named '" + name + "': kept " + keep.getClass().getName() + ", ignored "
                        + drop.getClass().getName() + " (the higher rank, then the class name first in order, wins)");
                if (!replace) return this;
            }
            codecs.put(name, codec);
            infos.put(name, info);
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

        /**
         * On equally strong probes (and equally long target suffixes), prefer this codec; {@code null} or blank
         * prefers none. A name no added codec has is reported in {@link CodecRegistry#problems()} and ignored.
         */
        public Builder preferred(String codecName) {
            this.preferred = codecName == null || codecName.isBlank() ? null : codecName.strip().toLowerCase(Locale.ROOT);
            return this;
        }

        public CodecRegistry build() {
            if (preferred == null || codecs.containsKey(preferred)) return new CodecRegistry(codecs, infos, problems, preferred);
            String message = "the preferred codec '" + preferred + "' is not installed (installed: "
                    + codecs.keySet().stream().sorted().toList() + "); no codec is preferred";
            LOG.warn(message);
            List<String> all = new ArrayList<>(problems);
            all.add(message);
            return new CodecRegistry(codecs, infos, all, null);
        }

        private void problem(String message) {
            problems.add(message);
            LOG.warn(message);
        }
    }
}
