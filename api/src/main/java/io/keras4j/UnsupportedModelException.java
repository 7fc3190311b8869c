package io.keras4j;

import java.nio.file.Path;

/** A known format, but a variant or feature keras4j does not handle (yet), e.g. a Keras 1 layer with no mapping. */
public class UnsupportedModelException extends Keras4jException {
    public UnsupportedModelException(String message) { super(message); }

    public UnsupportedModelException(String message, String codec, Path file, String location, Throwable cause) {
        super(message, codec, file, location, -1, cause);
    }
}
