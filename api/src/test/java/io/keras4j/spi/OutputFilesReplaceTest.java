package io.keras4j.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.Keras4jException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers replace only what is theirs (issue #14): the rules of {@link OutputFiles#checkReplaceable}. */
class OutputFilesReplaceTest {
    @TempDir Path dir;

    @Test
    void aMissingTargetOrOneOfTheFormatWrittenIsReplaced() throws Exception {
        assertThatCode(() -> OutputFiles.checkReplaceable(dir.resolve("none"), "x", true, false, p -> false)).doesNotThrowAnyException();
        Path own = Files.writeString(dir.resolve("own.h5"), "mine");
        assertThatCode(() -> OutputFiles.checkReplaceable(own, "x", false, false, p -> true)).doesNotThrowAnyException();
    }

    @Test
    void anotherFormatIsReplacedOnlyWithOverwrite() throws Exception {
        Path file = Files.writeString(dir.resolve("notes"), "mine");
        Path folder = Files.createDirectory(dir.resolve("folder"));
        assertThatThrownBy(() -> OutputFiles.checkReplaceable(file, "h5", false, false, p -> false))
                .isInstanceOf(Keras4jException.class).hasMessageContaining("refusing to replace " + file).hasMessageContaining("--force");
        assertThatThrownBy(() -> OutputFiles.checkReplaceable(folder, "savedmodel", true, false, p -> false))
                .isInstanceOf(Keras4jException.class).hasMessageContaining("not a directory of the savedmodel format");
        assertThatThrownBy(() -> OutputFiles.checkReplaceable(file, "savedmodel", true, false, p -> true))
                .isInstanceOf(Keras4jException.class).hasMessageContaining("is a file");
        assertThatCode(() -> OutputFiles.checkReplaceable(file, "h5", false, true, p -> false)).doesNotThrowAnyException();
        assertThatCode(() -> OutputFiles.checkReplaceable(folder, "savedmodel", true, true, p -> false)).doesNotThrowAnyException();
        assertThatCode(() -> OutputFiles.checkReplaceable(file, "savedmodel", true, true, p -> false)).doesNotThrowAnyException();
    }

    @Test
    void aDirectoryIsNeverReplacedByAFileNorADeviceByAnything() {
        assertThatThrownBy(() -> OutputFiles.checkReplaceable(dir, "h5", false, true, p -> true))
                .isInstanceOf(Keras4jException.class).hasMessageContaining("is a directory").hasMessageContaining("not even");
        Path device = Path.of("/dev/null");
        assertThat(device).exists();
        for (boolean directory : new boolean[] {false, true}) {
            assertThatThrownBy(() -> OutputFiles.checkReplaceable(device, "h5", directory, true, p -> true))
                    .isInstanceOf(Keras4jException.class).hasMessageContaining("special file");
        }
    }

    @Test
    void overwriteIsAWriteOptionsProperty() {
        assertThat(OutputFiles.overwrite(WriteOptions.DEFAULT)).isFalse();
        assertThat(OutputFiles.overwrite(WriteOptions.DEFAULT.withProperty(OutputFiles.OVERWRITE, "true"))).isTrue();
    }
}
