package io.keras4j.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CacheSizes} reads sysfs' cache description and falls back when it is missing or odd. */
class CacheSizesTest {
    @TempDir Path dir;

    private void index(int i, String level, String type, String size) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
    }

    @Test
    void findsTheLevelTwoCacheAmongTheOthers() throws IOException {
        index(0, "1", "Data", "48K");
        index(1, "1", "Instruction", "32K");
        index(2, "2", "Unified", "2048K");
        index(3, "3", "Unified", "266240K");
        assertThat(CacheSizes.read(dir)).hasValue(2048L * 1024);
    }

    @Test
    void isEmptyWithoutALevelTwoCacheOrWithAnUnreadableSize() throws IOException {
        assertThat(CacheSizes.read(dir.resolve("absent"))).isEmpty();
        index(0, "1", "Data", "32K");
        index(2, "2", "Unified", "lots");
        assertThat(CacheSizes.read(dir)).isEmpty();
    }

    @Test
    void parsesTheSizeSuffixes() {
        assertThat(CacheSizes.parseSize("1M")).isEqualTo(1L << 20);
        assertThat(CacheSizes.parseSize("512K")).isEqualTo(512L << 10);
        assertThat(CacheSizes.parseSize("65536")).isEqualTo(65536);
        assertThat(CacheSizes.parseSize("-4K")).isEqualTo(-1);
        assertThat(CacheSizes.parseSize("99999999999999G")).isEqualTo(-1);
        assertThat(CacheSizes.parseSize("")).isEqualTo(-1);
    }

    @Test
    void theMachinesSizeIsAPlausibleCache() {
        assertThat(CacheSizes.l2Bytes()).isBetween(64L << 10, 1L << 30);
    }
}
