package io.keras4j.tfgraph;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The printf conversion TensorFlow's AsString builds from its attributes ({@code %[fill][width][.precision]} and
 * d, f, e or g) with C's semantics: floats rounded from their exact binary value, half to even (as glibc does,
 * where Java's Formatter rounds half up from the shortest decimal), %g choosing %e or %f and dropping trailing
 * zeros, inf and nan spelled as C spells them.
 */
final class AsStringFormat {
    /** The conversion letter: 'd', 'f', 'e' or 'g'. */
    private final char conversion;
    /** The flag the fill attribute gives (' ', '+', '-', '0'), or 0. */
    private final char flag;
    private final int width;
    private final int precision;

    AsStringFormat(char conversion, String fill, int width, int precision) {
        if (fill.length() > 1) throw new GraphException("AsString fill must be at most one character, not '" + fill + "'");
        char f = fill.isEmpty() ? 0 : fill.charAt(0);
        if (f != 0 && f != ' ' && f != '+' && f != '-' && f != '0') throw new GraphException("AsString fill argument not supported: \"" + fill + "\"");
        this.conversion = conversion;
        this.flag = f;
        this.width = width;
        this.precision = precision;
    }

    String integer(long v) { return pad(v < 0 ? "-" : positiveSign(), v < 0 ? Long.toUnsignedString(-v) : Long.toString(v), true); }

    String unsigned(long v) { return pad(positiveSign(), Long.toUnsignedString(v), true); }

    String floating(double v) {
        boolean negative = v < 0 || (v == 0 && 1 / v < 0) || (Double.isNaN(v) && Double.doubleToRawLongBits(v) < 0);
        String sign = negative ? "-" : positiveSign();
        if (Double.isNaN(v)) return pad(sign, "nan", false);
        if (Double.isInfinite(v)) return pad(sign, "inf", false);
        BigDecimal exact = new BigDecimal(v).abs();
        int p = precision < 0 ? 6 : precision;
        String body = switch (conversion) {
            case 'f' -> fixed(exact, p);
            case 'e' -> scientific(exact, p);
            default -> general(exact, p);
        };
        return pad(sign, body, true);
    }

    private String positiveSign() { return flag == '+' ? "+" : flag == ' ' ? " " : ""; }

    private static String fixed(BigDecimal x, int p) { return x.setScale(p, RoundingMode.HALF_EVEN).toPlainString(); }

    private static String scientific(BigDecimal x, int p) {
        if (x.signum() == 0) return fixed(BigDecimal.ZERO, p) + "e+00";
        BigDecimal r = x.round(new MathContext(p + 1, RoundingMode.HALF_EVEN));
        int exp = r.precision() - r.scale() - 1;
        String digits = r.unscaledValue().toString();
        digits = (digits + "0".repeat(Math.max(0, p + 1 - digits.length()))).substring(0, p + 1);
        String mantissa = p == 0 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return mantissa + (exp < 0 ? "e-" : "e+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    /** %g: %e's exponent X at precision P decides: P > X >= -4 prints %f with P-1-X decimals, else %e; zeros go. */
    private static String general(BigDecimal x, int p) {
        int sig = p == 0 ? 1 : p;
        int exp = 0;
        if (x.signum() != 0) {
            BigDecimal r = x.round(new MathContext(sig, RoundingMode.HALF_EVEN));
            exp = r.precision() - r.scale() - 1;
        }
        String s = sig > exp && exp >= -4 ? fixed(x, sig - 1 - exp) : scientific(x, sig - 1);
        int e = s.indexOf('e');
        String mantissa = e < 0 ? s : s.substring(0, e), rest = e < 0 ? "" : s.substring(e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "");
            if (mantissa.endsWith(".")) mantissa = mantissa.substring(0, mantissa.length() - 1);
        }
        return mantissa + rest;
    }

    private String pad(String sign, String body, boolean zeroPaddable) {
        int missing = width - sign.length() - body.length();
        if (missing <= 0) return sign + body;
        if (flag == '-') return sign + body + " ".repeat(missing);
        if (flag == '0' && zeroPaddable) return sign + "0".repeat(missing) + body;
        return " ".repeat(missing) + sign + body;
    }
}
