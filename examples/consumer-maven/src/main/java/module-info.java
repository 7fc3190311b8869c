/**
 * On the module path the codecs (format-keras, format-h5) are bound as services of io.keras4j.api:
 * requiring them is not needed, and no --add-modules either.
 */
module com.example.consumer {
    requires io.keras4j.api;
    requires io.keras4j.runtime;
}
