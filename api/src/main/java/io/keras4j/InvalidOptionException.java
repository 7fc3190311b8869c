package io.keras4j;

/**
 * A caller's option has a value a codec cannot use, e.g. a write property ({@code savedmodel.kerasObjects=maybe}):
 * the input is fine, the request is not.
 */
public class InvalidOptionException extends Keras4jException {
    public InvalidOptionException(String codec, String option, String value, String expected) {
        super(option + " must be " + expected + ", not '" + value + "'", codec, null, null, -1, null);
    }
}
