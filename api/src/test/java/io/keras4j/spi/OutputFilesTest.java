package io.keras4j.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic-write temps: new, uniquely named, and with the mode a plain create gives (createTempFile's is 0600). */
class OutputFilesTest {
    @TempDir Path dir;

    @Test
    void tempFilesAndDirectoriesAreNewAndNamedByPrefixAndSuffix() throws Exception {
        Set<Path> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            Path f = OutputFiles.createTempFile(dir, ".model.h5", ".tmp");
            assertThat(f.getParent()).isEqualTo(dir);
            assertThat(f.getFileName().toString()).startsWith(".model.h5").endsWith(".tmp");
            assertThat(f).isEmptyFile();
            Path d = OutputFiles.createTempDirectory(dir, ".savedmodel.tmp-");
            assertThat(d.getFileName().toString()).startsWith(".savedmodel.tmp-");
            assertThat(d).isEmptyDirectory();
            assertThat(seen.add(f) && seen.add(d)).as("a name handed out twice").isTrue();
        }
    }

    @Test
    void modesAreThoseOfAPlainCreate() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "file modes are POSIX");
        Path plainFile = Files.createFile(dir.resolve("plain"));
        Path plainDir = Files.createDirectory(dir.resolve("plain-dir"));
        assertThat(Files.getPosixFilePermissions(OutputFiles.createTempFile(dir, "t", ".tmp")))
                .isEqualTo(Files.getPosixFilePermissions(plainFile));
        assertThat(Files.getPosixFilePermissions(OutputFiles.createTempDirectory(dir, "d")))
                .isEqualTo(Files.getPosixFilePermissions(plainDir));
    }
}
