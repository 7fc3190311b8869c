package io.keras4j.format.checkpoint;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.checkpoint.bundle.TensorBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Turns what a user names (a prefix, its {@code .index} file, or a directory) into a bundle prefix. */
final class CheckpointPaths {
    private CheckpointPaths() {}

    static Path prefixOf(Path input) {
        if (Files.isRegularFile(TensorBundle.indexFile(input))) return input;
        String name = input.getFileName() == null ? "" : input.getFileName().toString();
        if (name.endsWith(".index") && Files.isRegularFile(input)) {
            return input.resolveSibling(name.substring(0, name.length() - ".index".length()));
        }
        if (Files.isDirectory(input)) {
            if (Files.isRegularFile(input.resolve(CheckpointState.FILE_NAME))) return CheckpointState.latestPrefix(input);
            List<Path> indexes = indexFiles(input);
            if (indexes.size() == 1) return prefixOf(indexes.get(0));
            throw new UnsupportedModelException("directory " + input + " has " + indexes.size()
                    + " checkpoint indexes and no 'checkpoint' file naming the latest; name the prefix", "checkpoint", input, null, null);
        }
        throw new UnsupportedModelException("no checkpoint at " + input + " (neither " + input + ".index nor a checkpoint directory)",
                "checkpoint", input, null, null);
    }

    private static List<Path> indexFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".index")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
