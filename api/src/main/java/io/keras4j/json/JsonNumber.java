package io.keras4j.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * A JSON number that keeps the Java type it was parsed as (Integer/Long/BigInteger for integers, Double or
 * BigDecimal otherwise), so that {@code 1} and {@code 1.0} stay distinct through a round trip, as Python's json does.
 */
public record JsonNumber(Number value) implements JsonValue {
    public JsonNumber {
        Objects.requireNonNull(value, "value");
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) value = value.longValue();
        if (value instanceof Float f) value = Double.parseDouble(f.toString());
    }

    public boolean isIntegral() { return value instanceof Long || value instanceof BigInteger; }

    public long longValue() { return value.longValue(); }

    public int intValue() { return Math.toIntExact(value.longValue()); }

    public double doubleValue() { return value.doubleValue(); }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof JsonNumber other)) return false;
        if (isIntegral() != other.isIntegral()) return false;
        if (value instanceof BigDecimal || other.value instanceof BigDecimal
                || value instanceof BigInteger || other.value instanceof BigInteger) {
            return new BigDecimal(value.toString()).compareTo(new BigDecimal(other.value.toString())) == 0;
        }
        return isIntegral() ? value.longValue() == other.value.longValue()
                : Double.compare(value.doubleValue(), other.value.doubleValue()) == 0;
    }

    @Override
    public int hashCode() { return isIntegral() ? Long.hashCode(value.longValue()) : Double.hashCode(value.doubleValue()); }

    @Override public String toString() { return toJson(); }
}
