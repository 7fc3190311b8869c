package io.keras4j.spi;

/** What part of a model a codec reads or writes. */
public enum Feature {
    ARCHITECTURE,
    WEIGHTS,
    TRAINING_CONFIG,
    OPTIMIZER_STATE
}
