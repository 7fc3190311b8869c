package io.keras4j.format.savedmodel;

import io.keras4j.spi.OutputFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes a directory next to its target and renames it into place, so a failure leaves no half-written output. An
 * existing target is replaced only when it is a SavedModel directory (or empty) or the caller asked to overwrite:
 * it used to be moved aside and deleted whatever it was, so converting to a name without an extension deleted
 * unrelated directories and files. Public for the exporter (keras4j-export-tf).
 */
public final class DirectoryWrite {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DirectoryWrite.class);
    /** What goes into the new directory. */
    public interface Content {
        void writeInto(Path dir) throws IOException;
    }

    private DirectoryWrite() {}

    /** Writes {@code content} into a new directory beside {@code target}, then renames it into place. */
    public static void replace(Path target, boolean overwrite, Content content) {
        Path absolute = target.toAbsolutePath();
        restoreInterruptedReplace(absolute);
        OutputFiles.checkReplaceable(absolute, "savedmodel", true, overwrite, DirectoryWrite::isSavedModelOrEmpty);
        Path parent = absolute.getParent();
        Path tmp = null;
        Path old = null;
        try {
            Files.createDirectories(parent);
            tmp = OutputFiles.createTempDirectory(parent, "." + absolute.getFileName() + ".tmp-");
            content.writeInto(tmp);
            if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                // checked again just before the move: the target may have appeared while the content was written
                OutputFiles.checkReplaceable(absolute, "savedmodel", true, overwrite, DirectoryWrite::isSavedModelOrEmpty);
                old = OutputFiles.createTempDirectory(parent, OutputFiles.previousContentPrefix(absolute));
                Files.delete(old);
                Files.move(absolute, old, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // put the previous SavedModel back rather than leave it under its hidden ".old-" name
                if (old != null) Files.move(old, absolute, StandardCopyOption.ATOMIC_MOVE);
                throw e;
            }
            tmp = null;
            if (old != null) deleteTree(old);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    /**
     * A writer killed between the two renames left the target missing and the previous SavedModel hidden: put it
     * back before anything else, or this write's sweep of dead writers' leftovers would delete the only copy.
     */
    private static void restoreInterruptedReplace(Path absolute) {
        try {
            java.util.Optional<Path> previous = OutputFiles.interruptedReplace(absolute);
            if (previous.isPresent()) {
                Files.move(previous.get(), absolute, StandardCopyOption.ATOMIC_MOVE);
                LOG.warn("restored {} from {}, where a killed write had moved it aside", absolute, previous.get().getFileName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the previous content of " + absolute + " that a killed write left aside", e);
        }
    }

    private static boolean isSavedModelOrEmpty(Path dir) {
        if (Files.isRegularFile(dir.resolve(SavedModelDir.SAVED_MODEL_PB))) return true;
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
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
