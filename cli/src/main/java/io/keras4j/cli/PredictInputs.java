package io.keras4j.cli;

import io.keras4j.CorruptModelException;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonValue;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The arrays {@code predict} feeds a model, from {@code .npy} (C or Fortran order), {@code .npz} (members named after
 * the model's inputs), JSON (nested lists, or an object of them by input name) and CSV (one sample a row).
 */
final class PredictInputs {
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*True");
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private PredictInputs() {}

    /** One tensor per model input, in {@code inputNames} order; {@code declared} shapes shape CSV rows. */
    static List<Tensor> read(List<Path> files, List<String> inputNames, List<long[]> declared) {
        List<Tensor> out = new ArrayList<>();
        boolean byName = files.size() == 1 && inputNames.size() >= 1 && (ext(files.get(0)).equals("npz") || isJsonObject(files.get(0)));
        if (byName) {
            Map<String, Tensor> named = ext(files.get(0)).equals("npz") ? Npy.readNpz(files.get(0)) : jsonByName(files.get(0));
            for (int i = 0; i < inputNames.size(); i++) {
                Tensor t = named.get(inputNames.get(i));
                if (t == null && named.containsKey("arr_" + i) && inputNames.stream().noneMatch(named::containsKey)) t = named.get("arr_" + i);
                if (t == null) {
                    throw CorruptModelException.in(files.get(0)).because("no array for model input '" + inputNames.get(i)
                            + "'; the model takes " + inputNames + ", the file has " + named.keySet());
                }
                out.add(t);
            }
            return out;
        }
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            out.add(switch (ext(f)) {
                case "npy" -> npy(f);
                case "json" -> json(KerasJson.parse(text(f), f), f);
                case "csv" -> csv(f, i < declared.size() ? declared.get(i) : null);
                case "npz" -> throw new CliException(Main.USAGE, f + ": an .npz holds every input by name; give it as the only --input");
                default -> throw new CliException(Main.USAGE, f + ": --input takes .npy, .npz, .json or .csv files");
            });
        }
        return out;
    }

    private static String ext(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.contains(".") ? n.substring(n.lastIndexOf('.') + 1) : "";
    }

    private static String text(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    private static boolean isJsonObject(Path f) {
        return ext(f).equals("json") && text(f).stripLeading().startsWith("{");
    }

    /** A C-ordered {@code .npy} as is; a Fortran-ordered one read as its transpose, then transposed back. */
    static Tensor npy(Path f) {
        byte[] bytes;
        try {
            byte[] head = new byte[(int) Math.min(Files.size(f), 65536 + 12)];
            try (var in = Files.newInputStream(f)) {
                int n = in.readNBytes(head, 0, head.length);
                head = Arrays.copyOf(head, n);
            }
            if (!FORTRAN.matcher(new String(head, StandardCharsets.ISO_8859_1)).find()) return Npy.read(f);
            bytes = Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
        int major = bytes.length > 7 ? bytes[6] : 0;
        int headerLen = major == 1 ? (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8 : (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8 | (bytes[10] & 0xff) << 16;
        int start = major == 1 ? 10 : 12;
        String dict = new String(bytes, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(dict);
        Matcher s = SHAPE.matcher(dict);
        if (!d.find() || !s.find()) throw CorruptModelException.in(f).because("malformed .npy header: " + dict.strip());
        List<String> dims = new ArrayList<>();
        for (String p : s.group(1).split(",")) if (!p.isBlank()) dims.add(p.strip());
        List<String> reversed = new ArrayList<>(dims);
        java.util.Collections.reverse(reversed);
        // Fortran data of shape (a, b, c) is C data of shape (c, b, a): read it so, then reverse the axes.
        String cDict = "{'descr': '" + d.group(1) + "', 'fortran_order': False, 'shape': (" + String.join(", ", reversed)
                + (reversed.size() == 1 ? "," : "") + "), }";
        int pad = 64 - (10 + cDict.length() + 1) % 64;
        String header = cDict + " ".repeat(pad % 64) + "\n";
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        c.write(bytes, 0, 6);
        c.write(1);
        c.write(0);
        c.write(header.length() & 0xff);
        c.write(header.length() >> 8);
        c.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        c.write(bytes, start + headerLen, bytes.length - start - headerLen);
        Tensor t = Npy.read(c.toByteArray(), f, "");
        return transpose(t);
    }

    /** Reverses the axes of a tensor (as float32, what the runtime computes in). */
    static Tensor transpose(Tensor t) {
        long[] shape = t.shape();
        int rank = shape.length;
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) out[i] = shape[rank - 1 - i];
        float[] src = t.toFloatArray();
        float[] dst = new float[src.length];
        long[] idx = new long[rank];
        long[] inStrides = strides(shape);
        long[] outStrides = strides(out);
        for (int flat = 0; flat < dst.length; flat++) {
            // idx: position in the output (C order); the source index is the reversed position
            long rem = flat;
            long srcFlat = 0;
            for (int a = 0; a < rank; a++) {
                idx[a] = rem / outStrides[a];
                rem %= outStrides[a];
                srcFlat += idx[a] * inStrides[rank - 1 - a];
            }
            dst[flat] = src[(int) srcFlat];
        }
        return Tensor.ofFloats(dst, out);
    }

    private static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    private static Map<String, Tensor> jsonByName(Path f) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : KerasJson.parse(text(f), f).asObject().members().entrySet()) out.put(e.getKey(), json(e.getValue(), f));
        return out;
    }

    /** Nested lists of numbers, rectangular. */
    static Tensor json(JsonValue v, Path f) {
        List<Long> shape = new ArrayList<>();
        JsonValue probe = v;
        while (probe.isArray()) {
            shape.add((long) probe.asArray().size());
            if (probe.asArray().isEmpty()) break;
            probe = probe.asArray().get(0);
        }
        if (shape.isEmpty()) throw CorruptModelException.in(f).because("expected nested lists of numbers, found " + v.toJson());
        List<Float> values = new ArrayList<>();
        flatten(v, 0, shape, values, f, "$");
        float[] data = new float[values.size()];
        for (int i = 0; i < data.length; i++) data[i] = values.get(i);
        return Tensor.ofFloats(data, shape.stream().mapToLong(Long::longValue).toArray());
    }

    private static void flatten(JsonValue v, int depth, List<Long> shape, List<Float> out, Path f, String where) {
        if (depth == shape.size()) {
            if (!(v instanceof io.keras4j.json.JsonNumber n)) throw CorruptModelException.in(f).because(where + ": not a number: " + v.toJson());
            out.add((float) n.doubleValue());
            return;
        }
        if (!v.isArray() || v.asArray().size() != shape.get(depth)) {
            throw CorruptModelException.in(f).because(where + ": expected a list of " + shape.get(depth) + " (the arrays are not rectangular)");
        }
        JsonArray a = v.asArray();
        for (int i = 0; i < a.size(); i++) flatten(a.get(i), depth + 1, shape, out, f, where + "[" + i + "]");
    }

    /** One sample a row; a first row that is not numbers is a header. Rows are shaped as the model's input. */
    static Tensor csv(Path f, long[] declared) {
        List<String> lines = text(f).lines().filter(l -> !l.isBlank()).toList();
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",");
            float[] row = new float[cells.length];
            try {
                for (int c = 0; c < cells.length; c++) row[c] = Float.parseFloat(cells[c].strip());
            } catch (NumberFormatException e) {
                if (i == 0 && rows.isEmpty()) continue; // header
                throw CorruptModelException.in(f).because("line " + (i + 1) + ": not a number: " + e.getMessage());
            }
            if (!rows.isEmpty() && row.length != rows.get(0).length) {
                throw CorruptModelException.in(f).because("line " + (i + 1) + ": " + row.length + " values, the first row has " + rows.get(0).length);
            }
            rows.add(row);
        }
        if (rows.isEmpty()) throw CorruptModelException.in(f).because("no rows of numbers");
        int width = rows.get(0).length;
        long[] shape;
        if (declared != null && declared.length > 2) {
            long per = 1;
            for (int i = 1; i < declared.length; i++) per *= declared[i];
            if (per != width) throw CorruptModelException.in(f).because("rows of " + width + " values, the model's input " + Arrays.toString(declared) + " takes " + per);
            shape = declared.clone();
            shape[0] = rows.size();
        } else {
            shape = new long[] {rows.size(), width};
        }
        float[] data = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) System.arraycopy(rows.get(r), 0, data, r * width, width);
        return Tensor.ofFloats(data, shape);
    }

    /** Rows {@code [from, to)} of a tensor, read element by element so a file-backed array is read a batch at a time. */
    static Tensor rows(Tensor t, long from, long to) {
        long[] shape = t.shape();
        long per = shape.length == 0 ? 1 : t.elementCount() / Math.max(1, shape[0]);
        float[] out = new float[Math.toIntExact((to - from) * per)];
        for (int i = 0; i < out.length; i++) out[i] = (float) t.getDouble(from * per + i);
        long[] s = shape.clone();
        s[0] = to - from;
        return Tensor.ofFloats(out, s);
    }

    /** Nested lists in JSON; float32 values print as the shortest text that reads back the same float. */
    static void appendJson(StringBuilder b, Tensor t) {
        float[] v = t.toFloatArray();
        long[] shape = t.shape();
        append(b, v, shape, 0, 0);
    }

    private static int append(StringBuilder b, float[] v, long[] shape, int axis, int pos) {
        if (axis == shape.length) {
            float x = v[pos];
            b.append(Float.isFinite(x) ? Float.toString(x) : "null");
            return pos + 1;
        }
        b.append('[');
        for (long i = 0; i < shape[axis]; i++) {
            if (i > 0) b.append(", ");
            pos = append(b, v, shape, axis + 1, pos);
        }
        b.append(']');
        return pos;
    }

}
