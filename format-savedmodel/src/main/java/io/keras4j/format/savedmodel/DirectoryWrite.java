package io.keras4j.format.savedmodel;

import io.keras4j.spi.OutputFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/** Writes a directory next to its target and renames it into place, so a failure leaves no half-written output. */
final class DirectoryWrite {
    interface Content {
        void writeInto(Path dir) throws IOException;
    }

    private DirectoryWrite() {}

    static void replace(Path target, Content content) {
        Path absolute = target.toAbsolutePath();
        Path parent = absolute.getParent();
        Path tmp = null;
        Path old = null;
        try {
            Files.createDirectories(parent);
            tmp = OutputFiles.createTempDirectory(parent, "." + absolute.getFileName() + ".tmp-");
            content.writeInto(tmp);
            if (Files.exists(absolute)) {
                old = OutputFiles.createTempDirectory(parent, "." + absolute.getFileName() + ".old-");
                Files.delete(old);
                Files.move(absolute, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            if (old != null) deleteTree(old);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
