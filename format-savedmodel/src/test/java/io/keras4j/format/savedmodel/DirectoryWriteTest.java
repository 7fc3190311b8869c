package io.keras4j.format.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.Keras4j;
import io.keras4j.Keras4jException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14: replacing a SavedModel directory is two renames (the previous directory to a hidden {@code .old-} name,
 * then the new one into place). A writer killed between them leaves the target missing and the previous model hidden;
 * the next write's sweep of dead writers' leftovers used to delete that only copy.
 */
class DirectoryWriteTest {
    @TempDir Path dir;
    private Path target;
    private Path hidden;

    /** The state a writer killed between the two renames leaves: no target, the previous model aside, a new copy. */
    @BeforeEach
    void killedBetweenTheRenames() throws Exception {
        long dead = deadPid();
        target = dir.resolve("model");
        hidden = Files.createDirectory(dir.resolve(".model.old-keras4j-" + dead + "-1"));
        Files.writeString(hidden.resolve(SavedModelDir.SAVED_MODEL_PB), "the previous model");
        Path newCopy = Files.createDirectory(dir.resolve(".model.tmp-keras4j-" + dead + "-2"));
        Files.writeString(newCopy.resolve(SavedModelDir.SAVED_MODEL_PB), "the interrupted new model");
    }

    @Test
    void loadingTheMissingTargetSaysWhereThePreviousModelIs() {
        assertThatThrownBy(() -> Keras4j.create().load(target)).isInstanceOf(Keras4jException.class)
                .hasMessageContaining("no such file or directory").hasMessageContaining(hidden.toString())
                .hasMessageContaining("killed");
    }

    @Test
    void theNextWriteRestoresThePreviousModelBeforeItSweeps() throws Exception {
        assertThatThrownBy(() -> DirectoryWrite.replace(target, false, d -> { throw new IOException("disk full"); }))
                .isInstanceOf(UncheckedIOException.class);
        assertThat(target.resolve(SavedModelDir.SAVED_MODEL_PB)).as("a failed write keeps the restored previous model")
                .hasContent("the previous model");
        assertThat(hiddenEntries()).as("the dead writer's leftovers are swept").isEmpty();

        DirectoryWrite.replace(target, false, d -> Files.writeString(d.resolve(SavedModelDir.SAVED_MODEL_PB), "new"));
        assertThat(target.resolve(SavedModelDir.SAVED_MODEL_PB)).hasContent("new");
        assertThat(hiddenEntries()).isEmpty();
    }

    private long deadPid() throws Exception {
        Process gone = new ProcessBuilder("java", "-version").redirectErrorStream(true).start();
        gone.getInputStream().readAllBytes();
        gone.waitFor();
        return gone.pid();
    }

    private java.util.List<Path> hiddenEntries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }
}
