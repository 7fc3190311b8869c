package io.keras4j.runtime.math;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The per-core L2 cache size, which decides how a multiply splits over threads (each thread reading all of B pays
 * only when B stays in its core's L2). Read once from Linux's {@code /sys/devices/system/cpu/cpu0/cache}; where that
 * is absent (other systems, a sandbox hiding sysfs) it is taken as {@link #FALLBACK_L2_BYTES}, the smallest per-core
 * L2 of common x86 server cores, so an unknown machine gets the cautious choice.
 */
public final class CacheSizes {
    static final long FALLBACK_L2_BYTES = 1L << 20;
    private static final long L2_BYTES = read(Path.of("/sys/devices/system/cpu/cpu0/cache")).orElse(FALLBACK_L2_BYTES);

    private CacheSizes() {}

    /** Bytes of the L2 cache of one core. */
    public static long l2Bytes() { return L2_BYTES; }

    /** The level-2 data or unified cache among {@code cacheDir/index*}, as sysfs describes it; empty if none is readable. */
    static OptionalLong read(Path cacheDir) {
        for (int i = 0; i < 8; i++) {
            Path index = cacheDir.resolve("index" + i);
            try {
                if (!Files.isDirectory(index)) continue;
                String level = Files.readString(index.resolve("level")).trim();
                String type = Files.readString(index.resolve("type")).trim();
                if (!level.equals("2") || type.equals("Instruction")) continue;
                long bytes = parseSize(Files.readString(index.resolve("size")).trim());
                if (bytes > 0) return OptionalLong.of(bytes);
            } catch (IOException | RuntimeException e) {
                // An unreadable or odd entry is skipped: the fallback is safe.
            }
        }
        return OptionalLong.empty();
    }

    /** sysfs sizes: {@code "2048K"}, {@code "1M"}, or plain bytes; -1 when not a size. */
    static long parseSize(String text) {
        String s = text.toUpperCase(Locale.ROOT);
        long unit = 1;
        if (s.endsWith("K")) unit = 1L << 10;
        else if (s.endsWith("M")) unit = 1L << 20;
        else if (s.endsWith("G")) unit = 1L << 30;
        if (unit > 1) s = s.substring(0, s.length() - 1);
        try {
            long n = Long.parseLong(s);
            return n > 0 && n < (1L << 40) / unit ? n * unit : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
