package io.keras4j;

/** A codec was asked for by name, or a known format was recognised, but its module is not on the class path. */
public class CodecNotInstalledException extends Keras4jException {
    private final String codecName;

    public CodecNotInstalledException(String codecName, String message) {
        super(message);
        this.codecName = codecName;
    }

    public String codecName() { return codecName; }
}
