package io.keras4j.spi;

import java.util.Objects;

/**
 * A write property a codec accepts ({@link WriteOptions#withProperty}), listed so that tools can show and check keys:
 * {@code key} as given to {@code --set}, {@code values} the accepted values in words, {@code description} one line.
 */
public record WriteProperty(String key, String values, String description) {
    public WriteProperty {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(description, "description");
    }
}
