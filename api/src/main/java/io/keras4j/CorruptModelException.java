package io.keras4j;

import java.nio.file.Path;

/** The content is malformed: truncated, inconsistent, a checksum mismatch, a size the file merely claims. */
public class CorruptModelException extends Keras4jException {
    public CorruptModelException(String message, String codec, Path file, String location, long offset, Throwable cause) {
        super(message, codec, file, location, offset, cause);
    }

    public static Builder in(Path file) { return new Builder(file); }

    /** Collects the place step by step: {@code CorruptModelException.in(f).codec("h5").at("model_weights").because("...")}. */
    public static final class Builder {
        private final Path file;
        private String codec;
        private String location;
        private long offset = -1;
        private Throwable cause;

        private Builder(Path file) { this.file = file; }

        public Builder codec(String codec) { this.codec = codec; return this; }

        public Builder at(String location) { this.location = location; return this; }

        public Builder offset(long offset) { this.offset = offset; return this; }

        public Builder cause(Throwable cause) { this.cause = cause; return this; }

        public CorruptModelException because(String message) {
            return new CorruptModelException(message, codec, file, location, offset, cause);
        }

        public UnsupportedModelException unsupported(String message) {
            return new UnsupportedModelException(message, codec, file, location, cause);
        }
    }
}
