package io.keras4j.spi;

/** The shape of what a codec reads: one file, a directory, or a file-name prefix shared by several files. */
public enum InputKind {
    FILE,
    DIRECTORY,
    /** A TensorFlow checkpoint prefix: {@code prefix.index} plus {@code prefix.data-*}. */
    PREFIX
}
