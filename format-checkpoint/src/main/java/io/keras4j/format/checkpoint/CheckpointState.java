package io.keras4j.format.checkpoint;

import com.google.protobuf.TextFormat;
import io.keras4j.CorruptModelException;
import io.keras4j.tf.proto.CheckpointProtos;
import io.keras4j.spi.OutputFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The text file {@code checkpoint} that {@code Checkpoint.save} and {@code save_weights} keep beside the bundles:
 * a {@code CheckpointState} text proto naming the latest prefix ({@code model_checkpoint_path: "ckpt"}).
 */
final class CheckpointState {
    static final String FILE_NAME = "checkpoint";

    private CheckpointState() {}

    /** The latest prefix named by {@code dir/checkpoint}, resolved against {@code dir} when relative. */
    static Path latestPrefix(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        CheckpointProtos.CheckpointState.Builder state = CheckpointProtos.CheckpointState.newBuilder();
        try {
            TextFormat.merge(Files.readString(file, StandardCharsets.UTF_8), state);
        } catch (TextFormat.ParseException e) {
            throw CorruptModelException.in(file).codec("checkpoint").cause(e).because("unreadable checkpoint state: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String latest = state.getModelCheckpointPath();
        if (latest.isEmpty()) throw CorruptModelException.in(file).codec("checkpoint").because("no model_checkpoint_path");
        Path p = Path.of(latest);
        if (p.isAbsolute() && Files.exists(Path.of(latest + ".index"))) return p;
        // Relative paths are relative to the directory; absolute ones may point to where the files were written.
        return dir.resolve(p.isAbsolute() ? p.getFileName() : p);
    }

    /** Writes {@code dir/checkpoint} naming {@code prefix} (relative, as Keras does), atomically. */
    static void write(Path prefix) {
        Path dir = prefix.toAbsolutePath().getParent();
        String name = prefix.getFileName().toString();
        var state = CheckpointProtos.CheckpointState.newBuilder().setModelCheckpointPath(name)
                .addAllAllModelCheckpointPaths(List.of(name)).build();
        try {
            Path temp = OutputFiles.createTempFile(dir, FILE_NAME + "-", ".tmp");
            Files.writeString(temp, TextFormat.printer().printToString(state), StandardCharsets.UTF_8);
            Files.move(temp, dir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE_NAME), e);
        }
    }
}
