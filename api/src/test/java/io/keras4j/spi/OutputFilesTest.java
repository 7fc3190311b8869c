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

    /** What a writer killed mid-write left (its pid is gone) is swept by the next temp of the same prefix; nothing else. */
    @Test
    void theNextTempOfAPrefixSweepsWhatADeadWriterLeftAndKeepsTheRest() throws Exception {
        Process gone = new ProcessBuilder("java", "-version").redirectErrorStream(true).start();
        gone.getInputStream().readAllBytes();
        gone.waitFor();
        long dead = gone.pid();
        long live = ProcessHandle.current().pid();
        Path deadFile = Files.createFile(dir.resolve(".model.h5.keras4j-" + dead + "-1.tmp"));
        Path deadDir = Files.createDirectories(dir.resolve(".model.keras.keras4j-" + dead + "-2/sub"));
        Files.writeString(deadDir.resolve("weights"), "a full copy of a model");
        Path liveFile = Files.createFile(dir.resolve(".model.h5.keras4j-" + live + "-3.tmp"));
        Path otherTarget = Files.createFile(dir.resolve(".other.h5.keras4j-" + dead + "-4.tmp"));
        Path unrelated = Files.createFile(dir.resolve(".model.h5.mine.tmp"));

        Path fresh = OutputFiles.createTempFile(dir, ".model.h5", ".tmp");
        assertThat(fresh.getFileName().toString()).startsWith(".model.h5.keras4j-" + live + "-");
        assertThat(deadFile).doesNotExist();
        assertThat(liveFile).as("another write of this live process").exists();
        assertThat(otherTarget).as("another target's leftover waits for a write there").exists();
        assertThat(unrelated).as("not a name keras4j gives").exists();
        OutputFiles.createTempDirectory(dir, ".model.keras.");
        assertThat(deadDir.getParent()).doesNotExist();
    }
}
