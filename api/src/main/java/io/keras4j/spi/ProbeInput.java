package io.keras4j.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a probe may look at: a bounded, read-only view of a file, directory or checkpoint prefix. The head of a file
 * is read once and shared by every probe; other reads are limited to {@link #MAX_READ} bytes each, so probing never
 * costs more than a few small reads. A missing or short file is not an error: probes see fewer bytes.
 */
public final class ProbeInput {
    public static final int HEAD_SIZE = 64 * 1024;
    public static final int MAX_READ = 64 * 1024;
    private static final int MAX_LISTING = 4096;

    private final Path path;
    private ByteBuffer head;
    private String headText;
    private List<String> listing;
    private final Map<String, ProbeInput> related = new HashMap<>();

    private ProbeInput(Path path) { this.path = path; }

    public static ProbeInput of(Path path) { return new ProbeInput(path); }

    public Path path() { return path; }

    public String fileName() { return path.getFileName() == null ? path.toString() : path.getFileName().toString(); }

    public boolean exists() { return Files.exists(path); }

    public boolean isDirectory() { return Files.isDirectory(path); }

    public boolean isFile() { return Files.isRegularFile(path); }

    /** Size in bytes, or -1 when this is not a readable file. */
    public long size() {
        try { return isFile() ? Files.size(path) : -1; } catch (IOException e) { return -1; }
    }

    /** Up to {@link #HEAD_SIZE} bytes from the start of the file; empty for directories and missing files. */
    public ByteBuffer head() {
        if (head == null) head = readAtUncached(0, HEAD_SIZE);
        return head.duplicate();
    }

    /**
     * The first byte of the head that is not ASCII whitespace, or -1 when there is none: a text codec's probe can turn
     * a binary file away on it before decoding 64 KiB (three text probes decoding every model's head were most of the
     * time a small model took to load).
     */
    public int firstNonBlankByte() {
        ByteBuffer h = head();
        for (int i = h.position(); i < h.limit(); i++) {
            byte b = h.get(i);
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return b & 0xff;
        }
        return -1;
    }

    /** Whether the head holds a NUL byte, which no text model file has. */
    public boolean headHasNul() {
        ByteBuffer h = head();
        for (int i = h.position(); i < h.limit(); i++) if (h.get(i) == 0) return true;
        return false;
    }

    /** Whether the head holds the bytes of {@code ascii} (a member name in a zip's local header, say), without decoding it. */
    public boolean headContains(String ascii) {
        byte[] needle = ascii.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteBuffer h = head();
        int last = h.limit() - needle.length;
        outer:
        for (int i = h.position(); i <= last; i++) {
            if (h.get(i) != needle[0]) continue;
            for (int j = 1; j < needle.length; j++) if (h.get(i + j) != needle[j]) continue outer;
            return true;
        }
        return false;
    }

    /** The head decoded as UTF-8 (malformed bytes replaced), decoded once for every probe that asks. */
    public String headText() {
        if (headText == null) headText = java.nio.charset.StandardCharsets.UTF_8.decode(head()).toString();
        return headText;
    }

    /** Up to {@code length} (at most {@link #MAX_READ}) bytes at {@code offset}; fewer at the end of the file. */
    public ByteBuffer read(long offset, int length) {
        if (offset == 0 && length <= HEAD_SIZE) {
            ByteBuffer h = head();
            return h.limit(Math.min(h.limit(), length)).slice();
        }
        return readAtUncached(offset, Math.min(length, MAX_READ));
    }

    /** The last {@code length} bytes (at most {@link #MAX_READ}). */
    public ByteBuffer tail(int length) {
        long size = size();
        if (size < 0) return ByteBuffer.allocate(0);
        int n = (int) Math.min(size, Math.min(length, MAX_READ));
        return readAtUncached(size - n, n);
    }

    /** Names of the directory's entries (bounded); empty when not a directory. */
    public List<String> list() {
        if (listing == null) {
            List<String> names = new ArrayList<>();
            if (isDirectory()) {
                try (Stream<Path> s = Files.list(path)) {
                    s.limit(MAX_LISTING).forEach(p -> names.add(p.getFileName().toString()));
                } catch (IOException e) { /* unreadable directory: no entries */ }
            }
            listing = List.copyOf(names);
        }
        return listing;
    }

    /** An entry of this directory, when it exists. */
    public Optional<ProbeInput> child(String name) {
        if (!isDirectory()) return Optional.empty();
        ProbeInput c = related.computeIfAbsent("/" + name, k -> new ProbeInput(path.resolve(name)));
        return c.exists() ? Optional.of(c) : Optional.empty();
    }

    /** The file named by this path plus a suffix ({@code ckpt} + {@code .index}), when it exists. */
    public Optional<ProbeInput> withSuffix(String suffix) {
        ProbeInput c = related.computeIfAbsent("+" + suffix, k -> new ProbeInput(path.resolveSibling(fileName() + suffix)));
        return c.isFile() ? Optional.of(c) : Optional.empty();
    }

    private ByteBuffer readAtUncached(long offset, int length) {
        if (!isFile() || offset < 0) return ByteBuffer.allocate(0);
        try (SeekableByteChannel ch = Files.newByteChannel(path)) {
            if (offset >= ch.size()) return ByteBuffer.allocate(0);
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(length, ch.size() - offset));
            ch.position(offset);
            while (buf.hasRemaining() && ch.read(buf) > 0) { /* fill */ }
            return buf.flip().asReadOnlyBuffer();
        } catch (IOException e) {
            return ByteBuffer.allocate(0);
        }
    }

    /** True when {@code bytes} start with {@code prefix}. */
    public static boolean startsWith(ByteBuffer bytes, byte[] prefix) {
        if (bytes.remaining() < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (bytes.get(bytes.position() + i) != prefix[i]) return false;
        return true;
    }

    @Override public String toString() { return path.toString(); }
}
