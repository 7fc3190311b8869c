package io.keras4j;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Root of every keras4j failure. Carries the codec that failed (when one did) and where: the file, the path inside
 * it (an HDF5 group, a zip entry, a checkpoint key, a JSON pointer) and the byte offset when known.
 */
public class Keras4jException extends RuntimeException {
    private final String codec;
    private final Path file;
    private final String location;
    private final long offset;

    public Keras4jException(String message) { this(message, null, null, null, -1, null); }

    public Keras4jException(String message, Throwable cause) { this(message, null, null, null, -1, cause); }

    protected Keras4jException(String message, String codec, Path file, String location, long offset, Throwable cause) {
        super(message, cause);
        this.codec = codec;
        this.file = file;
        this.location = location;
        this.offset = offset;
    }

    public Optional<String> codec() { return Optional.ofNullable(codec); }

    public Optional<Path> file() { return Optional.ofNullable(file); }

    public Optional<String> location() { return Optional.ofNullable(location); }

    /** Byte offset in the file, or -1 when unknown. */
    public long offset() { return offset; }

    /** The bare message without codec and place. */
    public String reason() { return super.getMessage(); }

    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder();
        if (codec != null) sb.append(codec).append(": ");
        sb.append(super.getMessage());
        if (file != null || location != null || offset >= 0) {
            sb.append(" (");
            String sep = "";
            if (file != null) { sb.append("file ").append(file); sep = ", "; }
            if (location != null) { sb.append(sep).append("at ").append(location); sep = ", "; }
            if (offset >= 0) sb.append(sep).append("offset ").append(offset);
            sb.append(')');
        }
        return sb.toString();
    }
}
