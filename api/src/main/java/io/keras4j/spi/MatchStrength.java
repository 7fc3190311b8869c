package io.keras4j.spi;

/**
 * How sure a probe is that an input is in its codec's format, weakest first (after Jackson's MatchStrength).
 * A catch-all text format never claims {@link #FULL}.
 */
public enum MatchStrength {
    /** Certainly not this format. */
    NO_MATCH,
    /** Cannot tell: e.g. the input is too short to decide, or only the name suggests it. */
    INCONCLUSIVE,
    /** Plausible: the container matches (a zip, a JSON object) but nothing Keras-specific was seen yet. */
    WEAK,
    /** The container and a format-specific marker match. */
    SOLID,
    /** Every marker of the format was seen. */
    FULL
}
