package io.keras4j.spi;

import io.keras4j.Keras4jException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Temporary files and directories for atomic writes (write beside the target, then move into place) that end up
 * with the permissions a plain {@link Files#createFile} or {@link Files#createDirectory} gives under the user's
 * umask. {@link Files#createTempFile} and {@link Files#createTempDirectory} create 0600 / 0700 entries, which the
 * move would keep, so a model written for TF Serving running as another user would be unreadable to it.
 */
public final class OutputFiles {
    /**
     * The {@link WriteOptions} property ({@code overwrite=true}, the CLI's {@code convert --force}) that lets a writer
     * replace an existing target which is not of the format it writes. Special files are never replaced.
     */
    public static final String OVERWRITE = "overwrite";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int ATTEMPTS = 100;

    private OutputFiles() {}

    /** Whether {@code options} ask to replace a target of another format ({@link #OVERWRITE}). */
    public static boolean overwrite(WriteOptions options) {
        return options.property(OVERWRITE).map(v -> v.equalsIgnoreCase("true")).orElse(false);
    }

    /**
     * Refuses to replace what the writer did not write. A missing target is fine; an existing one must be of the
     * kind written (a regular file for a file writer, a directory for a directory writer) and either of the format
     * being written ({@code ownFormat}, e.g. a directory holding saved_model.pb) or {@code overwrite} asked for.
     * Devices, pipes and sockets are never replaced: a rename would destroy the node itself.
     *
     * @param target the path about to be replaced
     * @param codec the writer, for the message
     * @param directory whether the writer writes a directory
     * @param overwrite whether the caller asked to replace a target of another format
     * @param ownFormat tells whether an existing target of the right kind is of the format being written
     * @throws Keras4jException naming the target and what it is, when it must not be replaced
     * @throws UncheckedIOException when the target cannot be inspected
     */
    public static void checkReplaceable(Path target, String codec, boolean directory, boolean overwrite,
                                        Predicate<Path> ownFormat) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(target, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot inspect " + target, e);
        }
        String refusal;
        if (!a.isRegularFile() && !a.isDirectory()) {
            refusal = "is a special file (device, pipe or socket); it is never replaced";
        } else if (a.isDirectory() != directory) {
            refusal = a.isDirectory() ? "is a directory; a " + codec + " file would replace it and everything in it"
                    : "is a file; the " + codec + " directory would replace it";
            if (overwrite && !a.isDirectory()) return;
            if (a.isDirectory()) refusal += " (not even with " + OVERWRITE + ")";
        } else if (ownFormat.test(target) || overwrite) {
            return;
        } else {
            refusal = "exists and is not " + (directory ? "a directory" : "a file") + " of the " + codec + " format";
        }
        throw new Keras4jException(codec + ": refusing to replace " + target + ": it " + refusal
                + (refusal.contains("never") || refusal.contains("not even") ? "" : "; pass --force (WriteOptions property "
                + OVERWRITE + "=true) to replace it"));
    }

    /** Whether {@code file} starts with {@code magic} (or is empty, as a file just made to be written is). */
    public static boolean startsWith(Path file, byte[] magic) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(magic.length);
            return head.length == 0 || Arrays.equals(head, magic);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Creates a new empty file {@code dir/prefix.keras4j-<pid>-<random>suffix} with default permissions, after
     * sweeping what a killed writer left under the same prefix ({@link #sweep}). Creation is exclusive
     * ({@code O_EXCL}), so an existing file or link of that name is never reused.
     *
     * @param dir the directory to create the file in, normally the target's own so that the move is a rename
     * @param prefix the start of the file name, named after the target
     * @param suffix the end of the file name
     * @return the new file
     * @throws IOException when the file cannot be created
     */
    public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
        sweep(dir, prefix);
        for (int i = 0; ; i++) {
            try {
                return Files.createFile(dir.resolve(tempName(prefix) + suffix));
            } catch (FileAlreadyExistsException e) {
                if (i == ATTEMPTS) throw e;
            }
        }
    }

    /**
     * Creates a new empty directory {@code dir/prefix.keras4j-<pid>-<random>} with default permissions, after
     * sweeping what a killed writer left under the same prefix ({@link #sweep}).
     *
     * @param dir the directory to create it in, normally the target's own so that the move is a rename
     * @param prefix the start of the directory name, named after the target
     * @return the new directory
     * @throws IOException when the directory cannot be created
     */
    public static Path createTempDirectory(Path dir, String prefix) throws IOException {
        sweep(dir, prefix);
        for (int i = 0; ; i++) {
            try {
                return Files.createDirectory(dir.resolve(tempName(prefix)));
            } catch (FileAlreadyExistsException e) {
                if (i == ATTEMPTS) throw e;
            }
        }
    }

    /**
     * Deletes the temporary files and directories {@code dir/prefix.keras4j-<pid>-…} whose writing process is gone
     * (killed mid-write: a {@code finally} never ran). Those of a live process, this one included, are another
     * write in progress and are kept; so is anything not named by this class.
     *
     * @param dir the directory the temporary entries were created in
     * @param prefix the prefix they were created with
     * @return how many entries were removed
     * @throws IOException when the directory cannot be listed or a leftover cannot be deleted
     */
    public static int sweep(Path dir, String prefix) throws IOException {
        String start = markerPrefix(prefix);
        List<Path> leftovers;
        try (Stream<Path> s = Files.list(dir)) {
            leftovers = s.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(start) && writerIsGone(name, start);
            }).toList();
        } catch (NoSuchFileException e) {
            return 0;
        }
        for (Path p : leftovers) deleteTree(p);
        return leftovers.size();
    }

    /**
     * The name prefix under which a directory replace moves the previous content of {@code target} aside before
     * renaming the new one into place (see {@link #interruptedReplace}).
     *
     * @param target the directory being replaced
     * @return the prefix to pass to {@link #createTempDirectory}
     */
    public static String previousContentPrefix(Path target) {
        return "." + target.toAbsolutePath().getFileName() + ".old-";
    }

    /**
     * The previous content of {@code target} that a killed writer had moved aside ({@link #previousContentPrefix}; a directory
     * replace is two renames: the old directory to a hidden name, then the new one into place; a writer killed
     * between them leaves the target missing and the previous content hidden). Empty when {@code target} exists or
     * no dead writer left such an entry; the newest one when several did.
     *
     * @param target the path that was being replaced
     * @return the hidden previous content, if any
     * @throws IOException when the parent directory cannot be listed
     */
    public static Optional<Path> interruptedReplace(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        String prefix = previousContentPrefix(absolute);
        Path dir = absolute.getParent();
        if (dir == null || Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        String start = markerPrefix(prefix);
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(start) && writerIsGone(name, start) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
            }).max(Comparator.comparing(OutputFiles::modified));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static java.nio.file.attribute.FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }

    /** Whether the process named in a temporary entry's name ({@code start<pid>-…}) no longer runs. */
    private static boolean writerIsGone(String name, String start) {
        int dash = name.indexOf('-', start.length());
        if (dash < 0) return false;
        try {
            return ProcessHandle.of(Long.parseLong(name.substring(start.length(), dash))).isEmpty();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String markerPrefix(String prefix) {
        boolean separated = prefix.isEmpty() || prefix.endsWith(".") || prefix.endsWith("-");
        return prefix + (separated ? "" : ".") + "keras4j-";
    }

    private static String tempName(String prefix) {
        return markerPrefix(prefix) + ProcessHandle.current().pid() + "-" + Long.toUnsignedString(RANDOM.nextLong());
    }

    /** Deletes {@code p} and, for a directory, what is in it; links are removed, never followed. */
    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : s.toList()) deleteTree(c);
            }
        }
        Files.deleteIfExists(p);
    }
}
