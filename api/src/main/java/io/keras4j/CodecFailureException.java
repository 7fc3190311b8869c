package io.keras4j;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A codec failed in a way no input explains: a {@code NullPointerException}, {@code IllegalStateException},
 * {@code IndexOutOfBoundsException}, … escaped it. That is a bug in the codec, not corrupt input, so it is reported
 * apart from {@link CorruptModelException} and {@link UnsupportedModelException}, naming the codec, what it was
 * doing and the file; the original exception is the cause.
 */
public class CodecFailureException extends Keras4jException {
    private final String operation;

    /**
     * @param codec the codec's name
     * @param operation what it was doing, e.g. {@code reading}, {@code writing}, {@code loading weights from}
     * @param file the file or directory it was working on
     * @param cause the exception that escaped the codec
     */
    public CodecFailureException(String codec, String operation, Path file, Throwable cause) {
        super(Objects.requireNonNull(cause, "cause").toString(), Objects.requireNonNull(codec, "codec"), file, null, -1, cause);
        this.operation = Objects.requireNonNull(operation, "operation");
    }

    /** What the codec was doing: {@code reading}, {@code writing}, {@code loading weights from}. */
    public String operation() { return operation; }

    /** The sentence names the codec and the file itself, so the usual "codec: … (file …)" framing is not added. */
    @Override
    public String getMessage() {
        return "codec '" + codec().orElseThrow() + "' failed unexpectedly " + operation + " "
                + file().map(Path::toString).orElse("its input") + ": " + reason()
                + "; this is a bug in the codec, please report it";
    }
}
