package io.keras4j.cli;

/** A failure the command line itself decides, carrying the exit code the README documents for it. */
final class CliException extends RuntimeException {
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() { return exitCode; }
}
