package io.keras4j.spi;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * The formats keras4j's own modules handle, with a cheap signature each, so that an input in a known format whose
 * module is missing gets "add io.keras4j:keras4j-format-h5" instead of a bare "unknown format".
 */
public final class KnownFormats {
    private KnownFormats() {}

    /** A built-in codec name and the Maven artifact that provides it. */
    public record Known(String codec, String artifact, String what) {}

    public static final List<Known> ALL = List.of(
            new Known("json", "keras4j-format-json", "Keras architecture JSON"),
            new Known("yaml", "keras4j-format-json", "Keras architecture YAML"),
            new Known("h5", "keras4j-format-h5", "Keras HDF5 (.h5, .weights.h5)"),
            new Known("weights-sharded", "keras4j-format-h5", "Keras 3 sharded weights (.weights.json)"),
            new Known("keras", "keras4j-format-keras", "Keras 3 archive (.keras)"),
            new Known("savedmodel", "keras4j-format-savedmodel", "TensorFlow SavedModel"),
            new Known("checkpoint", "keras4j-format-checkpoint", "TensorFlow checkpoint"));

    private static final byte[] HDF5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final byte[] TABLE_MAGIC = {0x57, (byte) 0xfb, (byte) 0x80, (byte) 0x8b, 0x24, 0x75, 0x47, (byte) 0xdb};

    public static Optional<Known> byName(String codec) {
        return ALL.stream().filter(k -> k.codec.equals(codec)).findFirst();
    }

    /** Recognises a built-in format by signature alone; used only to explain a missing module. */
    public static Optional<Known> sniff(ProbeInput in) {
        if (in.isDirectory()) {
            if (in.child("saved_model.pb").isPresent()) return byName("savedmodel");
            if (in.child("config.json").isPresent() && in.child("metadata.json").isPresent()) return byName("keras");
            return Optional.empty();
        }
        if (!in.isFile()) {
            return in.withSuffix(".index").isPresent() ? byName("checkpoint") : Optional.empty();
        }
        ByteBuffer head = in.head();
        for (long off = 0; off < head.limit(); off = off == 0 ? 512 : off * 2) {
            if (head.limit() >= off + 8 && ProbeInput.startsWith(head.duplicate().position((int) off), HDF5)) return byName("h5");
        }
        if (ProbeInput.startsWith(head, ZIP)) return byName("keras");
        if (ProbeInput.startsWith(in.tail(8), TABLE_MAGIC)) return byName("checkpoint");
        int i = 0;
        while (i < head.limit() && Character.isWhitespace(head.get(i))) i++;
        if (i < head.limit() && head.get(i) == '{') return byName("json");
        return Optional.empty();
    }
}
