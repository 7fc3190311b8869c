package io.keras4j.model;

import java.util.Optional;

/** Where a model came from: the writer's Keras version and backend, and the codec that read it. */
public record Provenance(String kerasVersion, String backend, String sourceFormat) {
    public static final Provenance UNKNOWN = new Provenance(null, null, null);

    public Optional<String> kerasVersionOpt() { return Optional.ofNullable(kerasVersion); }

    public Optional<String> backendOpt() { return Optional.ofNullable(backend); }

    public Provenance withSourceFormat(String format) { return new Provenance(kerasVersion, backend, format); }
}
