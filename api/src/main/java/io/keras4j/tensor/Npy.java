package io.keras4j.tensor;

import io.keras4j.CorruptModelException;
import io.keras4j.UnsupportedModelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** NumPy {@code .npy} and {@code .npz} files (format versions 1-3, C order, little- or big-endian input). */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Reads a {@code .npy} file; numeric data stays in the file and is read lazily. */
    public static Tensor read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 65536 + 12));
            ch.read(head, 0);
            head.flip();
            Header h = parseHeader(head, file, "");
            long dataBytes = size - h.dataOffset;
            if (h.dtype == null || h.swap || h.unicodeWidth > 0 || h.bytesWidth > 0) {
                if (dataBytes > Integer.MAX_VALUE) throw corrupt(file, "", h.dataOffset, "non-native npy data over 2 GiB");
                byte[] all = Files.readAllBytes(file);
                return decode(h, ByteBuffer.wrap(all, (int) h.dataOffset, (int) dataBytes).slice(), file, "");
            }
            checkSize(h, dataBytes, file, "");
            return Tensor.of(h.dtype, h.shape, TensorData.ofFile(file, h.dataOffset, h.expectedBytes()));
        } catch (IOException e) {
            throw CorruptModelException.in(file).cause(e).because("cannot read npy file: " + e.getMessage());
        }
    }

    /** Reads a {@code .npy} image held in memory. {@code where} names it in errors. */
    public static Tensor read(byte[] bytes, Path file, String where) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        Header h = parseHeader(buf, file, where);
        return decode(h, ByteBuffer.wrap(bytes, (int) h.dataOffset, bytes.length - (int) h.dataOffset).slice(), file, where);
    }

    /** Reads every array of a {@code .npz} archive, keyed by member name without {@code .npy}. */
    public static Map<String, Tensor> readNpz(Path file) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) continue;
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(name, read(readBounded(in, e, file), file, e.getName()));
                }
            }
        } catch (IOException e) {
            throw CorruptModelException.in(file).cause(e).because("cannot read npz archive: " + e.getMessage());
        }
        return out;
    }

    private static byte[] readBounded(InputStream in, ZipEntry e, Path file) throws IOException {
        // The declared size is only a claim; read in chunks and stop at 2 GiB rather than trusting it.
        ByteArrayOutputStream out = new ByteArrayOutputStream(e.getSize() > 0 && e.getSize() < (1 << 26) ? (int) e.getSize() : 8192);
        byte[] chunk = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(chunk)) > 0; ) {
            total += n;
            if (total > Integer.MAX_VALUE - 8) throw corrupt(file, e.getName(), -1, "npz member larger than 2 GiB");
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }

    /** Writes a {@code .npy} file atomically (temporary file, then move). */
    public static void write(Tensor tensor, Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                write(tensor, out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new io.keras4j.Keras4jException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
        }
    }

    /** Writes arrays as an uncompressed {@code .npz} archive, atomically. */
    public static void writeNpz(Map<String, Tensor> arrays, Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
                for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    write(e.getValue(), bytes);
                    byte[] b = bytes.toByteArray();
                    ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(b.length);
                    CRC32 crc = new CRC32();
                    crc.update(b);
                    entry.setCrc(crc.getValue());
                    zip.putNextEntry(entry);
                    zip.write(b);
                    zip.closeEntry();
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new io.keras4j.Keras4jException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
        }
    }

    public static void write(Tensor tensor, OutputStream out) throws IOException {
        if (tensor.dtype() == DType.STRING) throw new UnsupportedModelException("npy output of string tensors is not supported");
        String descr = tensor.dtype().npyDescr().orElseThrow(
                () -> new UnsupportedModelException("NumPy has no dtype for " + tensor.dtype()));
        long[] dims = tensor.shape();
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) shape.append(i > 0 ? ", " : "").append(dims[i]);
        shape.append(dims.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        byte[] header = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.US_ASCII);
        out.write(MAGIC);
        out.write(new byte[] {1, 0, (byte) header.length, (byte) (header.length >> 8)});
        out.write(header);
        TensorData data = tensor.data();
        byte[] chunk = new byte[1 << 16];
        for (long off = 0; off < data.size(); off += chunk.length) {
            int n = (int) Math.min(chunk.length, data.size() - off);
            data.slice(off, n).get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    private record Header(DType dtype, long[] shape, long dataOffset, boolean swap, int unicodeWidth, int bytesWidth) {
        long expectedBytes() { return Math.multiplyExact(Tensor.elementCount(shape), (long) dtype.byteSize()); }
    }

    private static Header parseHeader(ByteBuffer buf, Path file, String where) {
        buf.order(ByteOrder.LITTLE_ENDIAN);
        if (buf.remaining() < 10) throw corrupt(file, where, 0, "too short for a .npy header");
        for (int i = 0; i < MAGIC.length; i++) {
            if (buf.get(i) != MAGIC[i]) throw corrupt(file, where, i, "not a .npy file (bad magic)");
        }
        int major = buf.get(6);
        long headerLen;
        int start;
        if (major == 1) { headerLen = buf.getShort(8) & 0xffff; start = 10; }
        else if (major == 2 || major == 3) {
            if (buf.remaining() < 12) throw corrupt(file, where, 8, "truncated .npy header");
            headerLen = buf.getInt(8) & 0xffffffffL;
            start = 12;
        } else throw corrupt(file, where, 6, "unknown .npy version " + major);
        if (start + headerLen > buf.limit()) throw corrupt(file, where, 8, "header length " + headerLen + " runs past the data");
        byte[] hb = new byte[(int) headerLen];
        buf.get(start, hb);
        String dict = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(dict);
        Matcher f = FORTRAN.matcher(dict);
        Matcher s = SHAPE.matcher(dict);
        if (!d.find() || !f.find() || !s.find()) throw corrupt(file, where, start, "malformed .npy header: " + dict.strip());
        if (f.group(1).equals("True")) {
            throw new UnsupportedModelException("Fortran-ordered .npy arrays are not supported", null, file, where, null);
        }
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (part.isBlank()) continue;
            try { dims.add(Long.parseLong(part.strip().replace("L", ""))); }
            catch (NumberFormatException e) { throw corrupt(file, where, start, "bad shape in .npy header: " + s.group(1)); }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        for (long dim : shape) if (dim < 0) throw corrupt(file, where, start, "negative dimension in .npy shape");
        String descr = d.group(1);
        long dataOffset = start + headerLen;
        try {
            Tensor.elementCount(shape);
        } catch (ArithmeticException e) {
            throw corrupt(file, where, start, "shape " + s.group(1) + " overflows");
        }
        // A byte order mark ('<', '>', '|', '=') then the kind: "<f4", "|b1", "<U12".
        if (descr.length() < 2) throw corrupt(file, where, start, "bad dtype '" + descr + "' in .npy header");
        char order = descr.charAt(0);
        String kind = descr.substring(1);
        if (kind.startsWith("U") || kind.startsWith("S")) {
            int width = stringWidth(kind, file, where, start);
            return kind.startsWith("U") ? new Header(null, shape, dataOffset, false, width, 0)
                    : new Header(null, shape, dataOffset, false, 0, width);
        }
        DType dtype = switch (kind) {
            case "f2" -> DType.FLOAT16; case "f4" -> DType.FLOAT32; case "f8" -> DType.FLOAT64;
            case "i1" -> DType.INT8; case "i2" -> DType.INT16; case "i4" -> DType.INT32; case "i8" -> DType.INT64;
            case "u1" -> DType.UINT8; case "u2" -> DType.UINT16; case "u4" -> DType.UINT32; case "u8" -> DType.UINT64;
            case "b1" -> DType.BOOL;
            default -> throw new UnsupportedModelException("unsupported .npy dtype '" + descr + "'", null, file, where, null);
        };
        return new Header(dtype, shape, dataOffset, order == '>' && dtype.byteSize() > 1, 0, 0);
    }

    /** The width of a fixed-width string dtype ("U12": 12 characters), bounded so that one element fits in memory. */
    private static int stringWidth(String kind, Path file, String where, long offset) {
        try {
            int width = Integer.parseInt(kind.substring(1));
            if (width > 0 && width <= (1 << 24)) return width;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw corrupt(file, where, offset, "bad string dtype '" + kind + "' in .npy header");
    }

    private static void checkSize(Header h, long available, Path file, String where) {
        long expected;
        try { expected = h.expectedBytes(); }
        catch (ArithmeticException e) { throw corrupt(file, where, h.dataOffset, "shape overflows"); }
        if (available < expected) {
            throw corrupt(file, where, h.dataOffset, "shape needs " + expected + " bytes but only " + available + " follow the header");
        }
    }

    private static Tensor decode(Header h, ByteBuffer data, Path file, String where) {
        long count = Tensor.elementCount(h.shape);
        if (h.unicodeWidth > 0 || h.bytesWidth > 0) {
            int width = h.unicodeWidth > 0 ? 4 * h.unicodeWidth : h.bytesWidth;
            if (count > data.remaining() / width) throw corrupt(file, where, h.dataOffset, "string data is truncated");
            List<byte[]> strings = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] raw = new byte[width];
                data.get(i * width, raw);
                String s = h.unicodeWidth > 0 ? new String(raw, java.nio.charset.Charset.forName("UTF-32LE"))
                        : new String(raw, StandardCharsets.ISO_8859_1);
                int end = s.indexOf('\0');
                strings.add((end < 0 ? s : s.substring(0, end)).getBytes(StandardCharsets.UTF_8));
            }
            return Tensor.ofStrings(strings, h.shape);
        }
        checkSize(h, data.remaining(), file, where);
        int n = (int) h.expectedBytes();
        byte[] bytes = new byte[n];
        data.get(0, bytes);
        if (h.swap) {
            int w = h.dtype.byteSize();
            for (int i = 0; i < n; i += w) {
                for (int a = i, b = i + w - 1; a < b; a++, b--) { byte t = bytes[a]; bytes[a] = bytes[b]; bytes[b] = t; }
            }
        }
        return Tensor.of(h.dtype, h.shape, TensorData.of(bytes));
    }

    private static CorruptModelException corrupt(Path file, String where, long offset, String message) {
        return CorruptModelException.in(file).codec("npy").at(where == null || where.isEmpty() ? null : where)
                .offset(offset).because(message);
    }
}
