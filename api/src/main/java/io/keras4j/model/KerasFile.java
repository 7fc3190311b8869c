package io.keras4j.model;

import io.keras4j.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one file (or directory, or checkpoint prefix) holds, as a codec read it: a model when the architecture is
 * stored, otherwise the weights as stored (weights-only files are loaded into an architecture with
 * {@code Keras4j.loadWeights}). {@code details} carries format-specific facts, e.g. SavedModel signatures.
 */
public final class KerasFile {
    private final String format;
    private final Path source;
    private final Model model;
    private final List<StoredWeights> storedWeights;
    private final JsonObject details;
    private final Provenance provenance;

    private KerasFile(Builder b) {
        this.format = Objects.requireNonNull(b.format, "format");
        this.source = Objects.requireNonNull(b.source, "source");
        this.model = b.model;
        this.storedWeights = List.copyOf(b.storedWeights);
        this.details = Objects.requireNonNullElse(b.details, JsonObject.EMPTY);
        this.provenance = Objects.requireNonNullElse(b.provenance,
                model != null ? model.provenance() : Provenance.UNKNOWN);
    }

    public static Builder builder(String format, Path source) { return new Builder(format, source); }

    /** The codec name that read it. */
    public String format() { return format; }

    public Path source() { return source; }

    public Optional<Model> model() { return Optional.ofNullable(model); }

    public boolean hasArchitecture() { return model != null; }

    /** Weights as the file stores them, grouped by the file's own keys; filled for weights-only files. */
    public List<StoredWeights> storedWeights() { return storedWeights; }

    public JsonObject details() { return details; }

    public Provenance provenance() { return provenance; }

    /** A group of weights under one key of the file (a layer name, an object path, a checkpoint key prefix). */
    public record StoredWeights(String key, List<Weight> weights) {
        public StoredWeights { weights = List.copyOf(weights); }
    }

    public static final class Builder {
        private final String format;
        private final Path source;
        private Model model;
        private final List<StoredWeights> storedWeights = new ArrayList<>();
        private JsonObject details;
        private Provenance provenance;

        private Builder(String format, Path source) { this.format = format; this.source = source; }

        public Builder model(Model m) { this.model = m; return this; }

        public Builder addStoredWeights(String key, List<Weight> weights) { storedWeights.add(new StoredWeights(key, weights)); return this; }

        public Builder details(JsonObject d) { this.details = d; return this; }

        public Builder provenance(Provenance p) { this.provenance = p; return this; }

        public KerasFile build() { return new KerasFile(this); }
    }
}
