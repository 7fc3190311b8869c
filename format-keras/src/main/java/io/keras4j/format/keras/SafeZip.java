package io.keras4j.format.keras;

import io.keras4j.CorruptModelException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Bounded reading of a {@code .keras} zip: member names that would escape a directory are refused, and no member may
 * inflate past its declared size or past {@link #MAX_RATIO} times its compressed size (Keras stores members
 * uncompressed, so a large ratio is a zip bomb, not a model).
 */
final class SafeZip {
    static final int MAX_RATIO = 200;
    static final long MAX_TEXT = 256L << 20;

    private final Path file;
    private final Map<String, ZipEntry> entries = new LinkedHashMap<>();
    private final ZipFile zip;

    SafeZip(Path file) {
        this.file = file;
        try {
            this.zip = new ZipFile(file.toFile());
        } catch (IOException e) {
            throw corrupt(null, "not a readable zip archive: " + e.getMessage(), e);
        }
        Enumeration<? extends ZipEntry> all = zip.entries();
        while (all.hasMoreElements()) {
            ZipEntry e;
            try {
                e = all.nextElement();
            } catch (IllegalArgumentException malformed) {
                // ZipFile decodes entry names as UTF-8 and throws on bytes that are not (Jazzer's finding)
                close();
                throw corrupt(null, "a zip entry name is not valid UTF-8: " + malformed.getMessage(), malformed);
            }
            String name = e.getName();
            // Path.of would throw InvalidPathException on a NUL: a damaged name, not a codec bug.
            if (name.indexOf('\0') >= 0) {
                close();
                throw corrupt(name.replace('\0', '?'), "zip entry name holds a NUL byte", null);
            }
            if (name.startsWith("/") || name.contains("\\") || name.contains(":") || Path.of(name).normalize().startsWith("..")
                    || name.contains("/../") || name.equals("..") || name.startsWith("../")) {
                close();
                throw corrupt(name, "zip entry escapes the archive directory", null);
            }
            entries.put(name, e);
        }
    }

    boolean has(String name) { return entries.containsKey(name); }

    java.util.Set<String> names() { return entries.keySet(); }

    String text(String name) {
        ZipEntry e = require(name);
        try (InputStream in = zip.getInputStream(e)) {
            byte[] data = bounded(in, e, Math.min(MAX_TEXT, limit(e)), name);
            CRC32 crc = new CRC32();
            crc.update(data);
            checkCrc(e, crc, name);
            return new String(data, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw corrupt(name, "unreadable member: " + ex.getMessage(), ex);
        }
    }

    /** Copies a member to {@code target}, never writing more than the member may hold. */
    void extract(String name, Path target) {
        ZipEntry e = require(name);
        long limit = limit(e);
        try (InputStream in = zip.getInputStream(e); OutputStream out = Files.newOutputStream(target)) {
            byte[] buf = new byte[1 << 16];
            long total = 0;
            CRC32 crc = new CRC32();
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > limit) throw corrupt(name, "member inflates past " + limit + " bytes (zip bomb?)", null);
                crc.update(buf, 0, n);
                out.write(buf, 0, n);
            }
            checkCrc(e, crc, name);
        } catch (IOException ex) {
            throw corrupt(name, "unreadable member: " + ex.getMessage(), ex);
        }
    }

    /** java.util.zip.ZipFile does not check a member's CRC-32; Python's zipfile (so Keras) refuses a mismatch. */
    private void checkCrc(ZipEntry e, CRC32 crc, String name) {
        if (e.getCrc() != -1 && e.getCrc() != crc.getValue()) {
            throw corrupt(name, String.format("bad CRC-32 for member %s (stored 0x%08x, computed 0x%08x): the archive is damaged",
                    name, e.getCrc(), crc.getValue()), null);
        }
    }

    private long limit(ZipEntry e) {
        long declared = e.getSize() >= 0 ? e.getSize() : Long.MAX_VALUE;
        long compressed = e.getCompressedSize() >= 0 ? e.getCompressedSize() : Long.MAX_VALUE / MAX_RATIO;
        long byRatio = e.getMethod() == ZipEntry.STORED ? compressed : compressed * MAX_RATIO + 4096;
        return Math.min(declared, byRatio);
    }

    private byte[] bounded(InputStream in, ZipEntry e, long limit, String name) throws IOException {
        byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        if (data.length > limit) throw corrupt(name, "member inflates past " + limit + " bytes (zip bomb?)", null);
        return data;
    }

    private ZipEntry require(String name) {
        ZipEntry e = entries.get(name);
        if (e == null) throw corrupt(name, "the archive has no " + name, null);
        return e;
    }

    void close() {
        try { zip.close(); } catch (IOException ignored) { /* read-only */ }
    }

    private CorruptModelException corrupt(String at, String why, Throwable cause) {
        return CorruptModelException.in(file).codec(KerasArchive.CODEC).at(at).cause(cause).because(why);
    }
}
