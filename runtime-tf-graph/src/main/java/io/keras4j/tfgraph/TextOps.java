package io.keras4j.tfgraph;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The string and ragged ops of Keras's TextVectorization with whitespace splitting: StringLower, StaticRegexReplace
 * (punctuation stripping), StringSplitV2, RaggedTensorToTensor (int and padded outputs) and RaggedBincount
 * (multi_hot, count), and UnicodeDecode/UnicodeEncode (UTF-8) for character splitting.
 */
final class TextOps {
    private TextOps() {}

    /** Compiled StaticRegexReplace patterns by their RE2 source; a graph has few and runs them at every call. */
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    static void register(Map<String, Op> m) {
        OpTable.put(m, "StringLower", (Op.Simple) (n, in) -> lower(in[0], n.s("encoding", "")));
        OpTable.put(m, "StaticRegexReplace", (Op.Simple) (n, in) ->
                regexReplace(in[0], n.s("pattern", ""), n.s("rewrite", ""), n.b("replace_global", true)));
        OpTable.put(m, "StringSplitV2", Op.named((n, in, e) -> split(in[0], in[1], n.i("maxsplit", -1)), "indices", "values", "shape"));
        OpTable.put(m, "RaggedTensorToTensor", (Op.Simple) TextOps::raggedToTensor);
        OpTable.put(m, "UnicodeDecode", Op.named((n, in, e) -> unicodeDecode(in[0], n.s("input_encoding", ""), n.s("errors", "replace"),
                (int) n.i("replacement_char", 0xFFFD), n.b("replace_control_characters", false), n.type("Tsplits", DTypes.INT64)),
                "row_splits", "char_values"));
        OpTable.put(m, "UnicodeEncode", (Op.Simple) (n, in) -> unicodeEncode(in[0], in[1], n.s("output_encoding", ""),
                n.s("errors", "replace"), (int) n.i("replacement_char", 0xFFFD)));
        OpTable.put(m, "RaggedBincount", (Op.Simple) (n, in) -> raggedBincount(in[0], in[1], in[2], in[3], n.b("binary_output", false)));
    }

    private static byte[][] strings(Val v, String op) {
        if (v.dtype != DTypes.STRING) throw new GraphException(op + " takes strings, not " + DTypes.name(v.dtype));
        return v.s();
    }

    /** Without an encoding TensorFlow lowercases ASCII letters only and leaves every other byte alone. */
    static Val lower(Val x, String encoding) {
        byte[][] s = strings(x, "StringLower");
        byte[][] out = new byte[s.length][];
        for (int k = 0; k < s.length; k++) {
            if (encoding.isEmpty()) {
                out[k] = s[k].clone();
                for (int j = 0; j < out[k].length; j++) if (out[k][j] >= 'A' && out[k][j] <= 'Z') out[k][j] += 'a' - 'A';
            } else if (encoding.equalsIgnoreCase("utf-8")) {
                out[k] = utf8(s[k], "StringLower").toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
            } else {
                throw new GraphException("StringLower encoding '" + encoding + "' is not supported (only '' and 'utf-8')");
            }
        }
        return new Val(DTypes.STRING, x.shape, out);
    }

    private static String utf8(byte[] b, String op) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new GraphException(op + " of a string that is not valid UTF-8");
        }
    }

    /**
     * RE2 pattern and rewrite through java.util.regex, which reads the RE2 constructs Keras's standardization uses
     * alike; the rewrite's \1 group references become $1 and other characters are literal.
     */
    static Val regexReplace(Val x, String pattern, String rewrite, boolean global) {
        byte[][] s = strings(x, "StaticRegexReplace");
        Pattern p = PATTERNS.computeIfAbsent(pattern, src -> {
            try {
                return Pattern.compile(src);
            } catch (PatternSyntaxException e) {
                throw new GraphException("StaticRegexReplace pattern '" + src + "' is not supported: " + e.getDescription());
            }
        });
        String replacement = javaRewrite(rewrite);
        byte[][] out = new byte[s.length][];
        for (int k = 0; k < s.length; k++) {
            Matcher m = p.matcher(utf8(s[k], "StaticRegexReplace"));
            out[k] = (global ? m.replaceAll(replacement) : m.replaceFirst(replacement)).getBytes(StandardCharsets.UTF_8);
        }
        return new Val(DTypes.STRING, x.shape, out);
    }

    private static String javaRewrite(String rewrite) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < rewrite.length(); k++) {
            char c = rewrite.charAt(k);
            if (c == '\\' && k + 1 < rewrite.length()) {
                char d = rewrite.charAt(++k);
                if (Character.isDigit(d)) b.append('$').append(d);
                else b.append(Matcher.quoteReplacement(String.valueOf(d)));
            } else b.append(Matcher.quoteReplacement(String.valueOf(c)));
        }
        return b.toString();
    }

    private static boolean isSpace(byte c) { return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r'; }

    /**
     * StringSplitV2 of a vector: with an empty separator, runs of ASCII whitespace separate tokens and none is
     * empty; with a separator, every occurrence separates (empty tokens kept, an empty string is one). At most
     * {@code maxsplit} splits when it is positive. Outputs the sparse form: indices [n, 2], values, shape.
     */
    static Val[] split(Val x, Val sepVal, long maxsplit) {
        byte[][] s = strings(x, "StringSplitV2");
        if (x.rank() != 1) throw new GraphException("StringSplitV2 input must be a vector, not " + Shapes.str(x.shape));
        if (sepVal.size() != 1) throw new GraphException("StringSplitV2 sep must be a scalar, not " + Shapes.str(sepVal.shape));
        byte[] sep = strings(sepVal, "StringSplitV2")[0];
        List<long[]> indices = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        long widest = 0;
        for (int row = 0; row < s.length; row++) {
            List<byte[]> tokens = tokens(s[row], sep, maxsplit);
            for (int j = 0; j < tokens.size(); j++) {
                indices.add(new long[] {row, j});
                values.add(tokens.get(j));
            }
            widest = Math.max(widest, tokens.size());
        }
        int n = values.size();
        long[] flat = new long[Math.multiplyExact(n, 2)];
        for (int k = 0; k < n; k++) {
            flat[2 * k] = indices.get(k)[0];
            flat[2 * k + 1] = indices.get(k)[1];
        }
        return new Val[] {Val.longs(flat, n, 2), new Val(DTypes.STRING, new int[] {n}, values.toArray(byte[][]::new)),
                Val.longs(new long[] {s.length, widest}, 2)};
    }

    /** TensorFlow's SplitV2, Python's str.split: after {@code maxsplit} splits the rest is one token. */
    private static List<byte[]> tokens(byte[] t, byte[] sep, long maxsplit) {
        List<byte[]> out = new ArrayList<>();
        int len = t.length;
        if (maxsplit == 0) {
            out.add(t.clone());
            return out;
        }
        if (sep.length == 0) {
            int k = 0, splits = 0;
            while (k < len && isSpace(t[k])) k++;
            while (k < len) {
                int start = k;
                while (k < len && !isSpace(t[k])) k++;
                out.add(Arrays.copyOfRange(t, start, k));
                while (k < len && isSpace(t[k])) k++;
                if (maxsplit > 0 && ++splits == maxsplit) {
                    // The rest, possibly empty, trailing whitespace included.
                    out.add(Arrays.copyOfRange(t, k, len));
                    return out;
                }
            }
            return out;
        }
        int start = 0, splits = 0;
        for (int k = 0; k + sep.length <= len; ) {
            if (matchesAt(t, k, sep)) {
                out.add(Arrays.copyOfRange(t, start, k));
                k += sep.length;
                start = k;
                if (maxsplit > 0 && ++splits == maxsplit) break;
            } else k++;
        }
        out.add(Arrays.copyOfRange(t, start, len));
        return out;
    }

    private static boolean matchesAt(byte[] t, int at, byte[] sep) {
        for (int j = 0; j < sep.length; j++) if (t[at + j] != sep[j]) return false;
        return true;
    }

    /** Row number and column of each flat value of a ragged rank 1 tensor, from its one row partition. */
    private record Rows(int nrows, int[] row, int[] col) {}

    private static Rows rows(List<String> types, Val[] partitions, int nvalues) {
        if (types.equals(List.of("ROW_SPLITS"))) {
            long[] splits = partitions[0].dtype == DTypes.INT64 ? partitions[0].l() : longs(partitions[0]);
            if (splits.length == 0 || splits[0] != 0 || splits[splits.length - 1] != nvalues) {
                throw new GraphException("row_splits must start at 0 and end at the " + nvalues + " values");
            }
            int[] row = new int[nvalues], col = new int[nvalues];
            for (int r = 0; r + 1 < splits.length; r++) {
                if (splits[r + 1] < splits[r]) throw new GraphException("row_splits must not decrease");
                for (long v = splits[r]; v < splits[r + 1]; v++) {
                    row[(int) v] = r;
                    col[(int) v] = (int) (v - splits[r]);
                }
            }
            return new Rows(splits.length - 1, row, col);
        }
        if (types.equals(List.of("FIRST_DIM_SIZE", "VALUE_ROWIDS"))) {
            long nrows = partitions[0].getLong(0);
            long[] ids = longs(partitions[1]);
            if (ids.length != nvalues) throw new GraphException(ids.length + " value_rowids for " + nvalues + " values");
            if (nrows < 0 || nrows > Integer.MAX_VALUE) throw new GraphException("first_dim_size " + nrows);
            int[] row = new int[nvalues], col = new int[nvalues];
            for (int k = 0; k < nvalues; k++) {
                if (ids[k] < 0 || ids[k] >= nrows || (k > 0 && ids[k] < ids[k - 1])) {
                    throw new GraphException("value_rowids must be sorted and within [0, " + nrows + "), found " + ids[k]);
                }
                row[k] = (int) ids[k];
                col[k] = k > 0 && ids[k] == ids[k - 1] ? col[k - 1] + 1 : 0;
            }
            return new Rows((int) nrows, row, col);
        }
        throw new GraphException("row partition types " + types + " are not supported (ROW_SPLITS, or FIRST_DIM_SIZE and VALUE_ROWIDS)");
    }

    private static long[] longs(Val v) {
        long[] out = new long[v.size()];
        for (int k = 0; k < out.length; k++) out[k] = v.getLong(k);
        return out;
    }

    /**
     * A ragged matrix as a dense one: rows and columns beyond the requested shape dropped, missing ones filled
     * with the default; -1 (or an unknown shape) takes the row count and the longest row.
     */
    private static Val raggedToTensor(Node n, Val[] in) {
        Val shape = in[0], values = in[1], dflt = in[2];
        List<String> types = n.attr("row_partition_types").getList().getSList().stream().map(b -> b.toStringUtf8()).toList();
        if (values.rank() != 1) throw new GraphException("RaggedTensorToTensor of values of rank " + values.rank() + " is not supported (ragged rank 1, scalar values)");
        if (dflt.size() != 1) throw new GraphException("RaggedTensorToTensor default must be a scalar here, not " + Shapes.str(dflt.shape));
        Val[] partitions = Arrays.copyOfRange(in, 3, in.length);
        if (partitions.length != types.size()) throw new GraphException(partitions.length + " row partitions for types " + types);
        Rows r = rows(types, partitions, values.size());
        long wantRows = -1, wantCols = -1;
        if (shape.rank() == 1) {
            if (shape.size() != 2) throw new GraphException("RaggedTensorToTensor shape " + Shapes.str(shape.shape) + " must have 2 dimensions");
            wantRows = shape.getLong(0);
            wantCols = shape.getLong(1);
        } else if (shape.rank() != 0 || shape.getLong(0) != -1) {
            throw new GraphException("RaggedTensorToTensor shape must be a vector or -1");
        }
        int widest = 0;
        for (int c : r.col()) widest = Math.max(widest, c + 1);
        int rows = wantRows < 0 ? r.nrows() : (int) Math.min(wantRows, Integer.MAX_VALUE);
        int cols = wantCols < 0 ? widest : (int) Math.min(wantCols, Integer.MAX_VALUE);
        int[] outShape = {rows, cols};
        int size = Shapes.size(outShape);
        int[] idx = new int[size];
        Val pool = ArrayOps.concat(new Val[] {dflt.reshape(new int[] {1}), values}, 0);
        // Index 0 of the pool is the default; value k is at k + 1.
        for (int k = 0; k < r.row().length; k++) {
            if (r.row()[k] < rows && r.col()[k] < cols) idx[r.row()[k] * cols + r.col()[k]] = k + 1;
        }
        return ArrayOps.take(pool, idx, outShape);
    }

    /** Per-row counts (or weights, or presence with binary_output) of values below {@code size}; [rows, size]. */
    static Val raggedBincount(Val splitsVal, Val values, Val sizeVal, Val weights, boolean binary) {
        long[] splits = longs(splitsVal);
        int n = values.size();
        if (splits.length == 0 || splits[0] != 0 || splits[splits.length - 1] != n) {
            throw new GraphException("RaggedBincount splits must start at 0 and end at the " + n + " values");
        }
        long size = sizeVal.getLong(0);
        if (size < 0 || size > Integer.MAX_VALUE) throw new GraphException("RaggedBincount size " + size + " out of range");
        boolean weighted = weights.size() > 0;
        if (weighted && weights.size() != n) throw new GraphException("RaggedBincount has " + weights.size() + " weights for " + n + " values");
        int rows = splits.length - 1;
        int[] shape = {rows, (int) size};
        double[] acc = new double[Shapes.size(shape)];
        for (int r = 0; r < rows; r++) {
            if (splits[r + 1] < splits[r]) throw new GraphException("RaggedBincount splits must not decrease");
            for (long k = splits[r]; k < splits[r + 1]; k++) {
                long v = values.getLong((int) k);
                if (v < 0) throw new GraphException("RaggedBincount input must be non-negative, found " + v);
                if (v >= size) continue;
                int at = (int) (r * size + v);
                acc[at] = binary ? 1 : acc[at] + (weighted ? weights.getDouble((int) k) : 1);
            }
        }
        Val out = Val.zeros(weights.dtype, shape);
        for (int k = 0; k < acc.length; k++) {
            if (out.data instanceof float[] f) f[k] = DTypes.round(weights.dtype, (float) acc[k]);
            else if (out.data instanceof double[] d) d[k] = acc[k];
            else if (out.data instanceof int[] i) i[k] = (int) acc[k];
            else if (out.data instanceof long[] l) l[k] = (long) acc[k];
            else throw new GraphException("RaggedBincount of " + DTypes.name(weights.dtype) + " weights");
        }
        return out;
    }

    private static void checkUtf8(String encoding, String op) {
        if (!encoding.equalsIgnoreCase("UTF-8")) throw new GraphException(op + " encoding '" + encoding + "' is not supported (only UTF-8)");
    }

    private static boolean validCodePoint(int c) { return c >= 0 && c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF); }

    /**
     * Each string's code points and the row splits between strings. Malformed UTF-8 follows {@code errors}:
     * "strict" refuses, "ignore" drops, "replace" puts the replacement character for each maximal subpart of an
     * ill-formed sequence (Unicode's recommended practice, as ICU does: an encoded surrogate ED A0 80 is three).
     */
    static Val[] unicodeDecode(Val x, String encoding, String errors, int replacement, boolean replaceControl, int splitsType) {
        checkUtf8(encoding, "UnicodeDecode");
        byte[][] s = strings(x, "UnicodeDecode");
        if (!errors.equals("strict") && !errors.equals("ignore") && !errors.equals("replace")) {
            throw new GraphException("UnicodeDecode errors '" + errors + "' is not one of strict, replace, ignore");
        }
        if (errors.equals("replace") && !validCodePoint(replacement)) throw new GraphException("replacement_char " + replacement + " is not a code point");
        long[] splits = new long[s.length + 1];
        List<int[]> rows = new ArrayList<>();
        for (int k = 0; k < s.length; k++) {
            int[] cps = decodeUtf8(s[k], errors, replacement);
            if (replaceControl) for (int j = 0; j < cps.length; j++) if (Character.getType(cps[j]) == Character.CONTROL) cps[j] = replacement;
            rows.add(cps);
            splits[k + 1] = splits[k] + cps.length;
            if (splits[k + 1] > Integer.MAX_VALUE - 16) throw new GraphException("UnicodeDecode of more than 2^31 characters");
        }
        int[] values = new int[(int) splits[s.length]];
        for (int k = 0; k < rows.size(); k++) System.arraycopy(rows.get(k), 0, values, (int) splits[k], rows.get(k).length);
        return new Val[] {DTypes.cast(Val.longs(splits, splits.length), splitsType), Val.ints(values, values.length)};
    }

    /** UTF-8 by Unicode's table of well-formed byte sequences; each maximal ill-formed subpart is one error. */
    private static int[] decodeUtf8(byte[] s, String errors, int replacement) {
        int[] out = new int[s.length];
        int n = 0;
        for (int i = 0; i < s.length; ) {
            int b0 = s[i] & 0xFF;
            if (b0 < 0x80) {
                out[n++] = b0;
                i++;
                continue;
            }
            int more, lo = 0x80, hi = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF) more = 1;
            else if (b0 >= 0xE0 && b0 <= 0xEF) {
                more = 2;
                if (b0 == 0xE0) lo = 0xA0;
                if (b0 == 0xED) hi = 0x9F;
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                more = 3;
                if (b0 == 0xF0) lo = 0x90;
                if (b0 == 0xF4) hi = 0x8F;
            } else more = -1;
            int cp = more == 1 ? b0 & 0x1F : more == 2 ? b0 & 0x0F : b0 & 0x07;
            int j = i + 1;
            boolean ok = more > 0;
            for (int k = 0; ok && k < more; k++, j++) {
                int b = j < s.length ? s[j] & 0xFF : -1;
                if (b < (k == 0 ? lo : 0x80) || b > (k == 0 ? hi : 0xBF)) ok = false;
                else cp = cp << 6 | (b & 0x3F);
                if (!ok) break;
            }
            if (ok) {
                out[n++] = cp;
                i = j;
                continue;
            }
            if (errors.equals("strict")) throw new GraphException("UnicodeDecode of a string that is not valid UTF-8 (byte " + i + ")");
            if (errors.equals("replace")) out[n++] = replacement;
            i = Math.max(j, i + 1);
        }
        return Arrays.copyOf(out, n);
    }

    /** Each row of code points (between consecutive splits) as one UTF-8 string; invalid code points per {@code errors}. */
    static Val unicodeEncode(Val values, Val splitsVal, String encoding, String errors, int replacement) {
        checkUtf8(encoding, "UnicodeEncode");
        if (!errors.equals("strict") && !errors.equals("ignore") && !errors.equals("replace")) {
            throw new GraphException("UnicodeEncode errors '" + errors + "' is not one of strict, replace, ignore");
        }
        long[] splits = longs(splitsVal);
        int n = values.size();
        if (splits.length == 0 || splits[0] != 0 || splits[splits.length - 1] != n) {
            throw new GraphException("UnicodeEncode splits must start at 0 and end at the " + n + " code points");
        }
        byte[][] out = new byte[splits.length - 1][];
        for (int r = 0; r + 1 < splits.length; r++) {
            if (splits[r + 1] < splits[r]) throw new GraphException("UnicodeEncode splits must not decrease");
            StringBuilder b = new StringBuilder();
            for (long k = splits[r]; k < splits[r + 1]; k++) {
                long c = values.getLong((int) k);
                if (c >= 0 && c <= Integer.MAX_VALUE && validCodePoint((int) c)) b.appendCodePoint((int) c);
                else if (errors.equals("strict")) throw new GraphException("UnicodeEncode of " + c + ", which is not a code point");
                else if (errors.equals("replace")) {
                    if (!validCodePoint(replacement)) throw new GraphException("replacement_char " + replacement + " is not a code point");
                    b.appendCodePoint(replacement);
                }
            }
            out[r] = b.toString().getBytes(StandardCharsets.UTF_8);
        }
        return new Val(DTypes.STRING, new int[] {out.length}, out);
    }
}
