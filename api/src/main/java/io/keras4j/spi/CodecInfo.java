package io.keras4j.spi;

import io.keras4j.Keras4j;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link Codec} is, as the registry, the command line and users see it. Build it with {@link #builder}: the
 * builder is the stable way to make one (a field added later gets a default there), while the canonical constructor
 * may gain components between releases.
 *
 * @param name stable lowercase name used to choose the codec explicitly, e.g. {@code h5}, {@code keras}
 * @param description one line for humans
 * @param reads what parts of a model the codec reads
 * @param writes what parts of a model the codec writes (empty: it does not write)
 * @param inputKinds the shapes of input it reads: a file, a directory, a checkpoint prefix
 * @param targetSuffixes file-name endings this codec writes when a save target ends with them, e.g.
 *     {@code .weights.h5}; the registry picks the codec with the longest matching ending, so {@code .weights.h5}
 *     beats {@code .h5}; the empty ending claims a name with no dot (a directory: SavedModel)
 * @param writeProperties the keys this codec reads from {@link WriteOptions#property}; a key not listed here is
 *     unknown to it (the command line refuses it)
 * @param rank breaks ties between equally strong probes and equally long target suffixes, and between two codecs
 *     of the same name; higher wins
 * @param version the implementation version (its jar's {@code Implementation-Version}), for diagnostics
 */
public record CodecInfo(String name, String description, Set<Feature> reads, Set<Feature> writes,
        Set<InputKind> inputKinds, List<String> targetSuffixes, List<WriteProperty> writeProperties, int rank,
        String version) {

    public CodecInfo {
        Objects.requireNonNull(name, "name");
        description = Objects.requireNonNullElse(description, "");
        reads = enums(Feature.class, reads);
        writes = enums(Feature.class, writes);
        inputKinds = enums(InputKind.class, inputKinds);
        targetSuffixes = targetSuffixes == null ? List.of() : List.copyOf(targetSuffixes);
        writeProperties = writeProperties == null ? List.of() : List.copyOf(writeProperties);
        version = Objects.requireNonNullElse(version, "dev");
    }

    /**
     * Starts the description of a codec. The version defaults to the {@code Implementation-Version} of the jar that
     * holds {@code implementation} ({@code dev} when run from classes), as {@link Keras4j#versionOf} reads it.
     *
     * @param name the codec's lowercase name
     * @param implementation the codec's class, whose jar gives the version
     */
    public static Builder builder(String name, Class<? extends Codec> implementation) {
        return new Builder(name, Keras4j.versionOf(Objects.requireNonNull(implementation, "implementation")));
    }

    // Enum sets iterate in declaration order, so listings are the same on every run (Set.copyOf's order is not).
    private static <E extends Enum<E>> Set<E> enums(Class<E> type, Collection<E> values) {
        EnumSet<E> set = EnumSet.noneOf(type);
        if (values != null) set.addAll(values);
        return Collections.unmodifiableSet(set);
    }

    /** Collects a {@link CodecInfo}; every field but the name has a default (empty, 0, the jar's version). */
    public static final class Builder {
        private final String name;
        private String description = "";
        private Set<Feature> reads = Set.of();
        private Set<Feature> writes = Set.of();
        private Set<InputKind> inputKinds = Set.of();
        private List<String> targetSuffixes = List.of();
        private List<WriteProperty> writeProperties = List.of();
        private int rank;
        private String version;

        private Builder(String name, String version) {
            this.name = Objects.requireNonNull(name, "name");
            this.version = version;
        }

        public Builder description(String description) { this.description = description; return this; }

        public Builder reads(Set<Feature> reads) { this.reads = reads; return this; }

        public Builder reads(Feature first, Feature... more) { return reads(EnumSet.of(first, more)); }

        public Builder writes(Set<Feature> writes) { this.writes = writes; return this; }

        public Builder writes(Feature first, Feature... more) { return writes(EnumSet.of(first, more)); }

        public Builder inputKinds(InputKind first, InputKind... more) { this.inputKinds = EnumSet.of(first, more); return this; }

        public Builder targetSuffixes(String... suffixes) { this.targetSuffixes = List.of(suffixes); return this; }

        public Builder writeProperties(WriteProperty... properties) { this.writeProperties = List.of(properties); return this; }

        public Builder rank(int rank) { this.rank = rank; return this; }

        /** Overrides the version read from the implementation's jar. */
        public Builder version(String version) { this.version = version; return this; }

        public CodecInfo build() {
            return new CodecInfo(name, description, reads, writes, inputKinds, targetSuffixes, writeProperties, rank, version);
        }
    }
}
