package io.keras4j.spi;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Temporary files and directories for atomic writes (write beside the target, then move into place) that end up
 * with the permissions a plain {@link Files#createFile} or {@link Files#createDirectory} gives under the user's
 * umask. {@link Files#createTempFile} and {@link Files#createTempDirectory} create 0600 / 0700 entries, which the
 * move would keep, so a model written for TF Serving running as another user would be unreadable to it.
 */
public final class OutputFiles {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int ATTEMPTS = 100;

    private OutputFiles() {}

    /**
     * Creates a new empty file {@code dir/prefix<random>suffix} with default permissions. Creation is exclusive
     * ({@code O_EXCL}), so an existing file or link of that name is never reused.
     *
     * @param dir the directory to create the file in, normally the target's own so that the move is a rename
     * @param prefix the start of the file name
     * @param suffix the end of the file name
     * @return the new file
     * @throws IOException when the file cannot be created
     */
    public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
        for (int i = 0; ; i++) {
            try {
                return Files.createFile(dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong()) + suffix));
            } catch (FileAlreadyExistsException e) {
                if (i == ATTEMPTS) throw e;
            }
        }
    }

    /**
     * Creates a new empty directory {@code dir/prefix<random>} with default permissions.
     *
     * @param dir the directory to create it in, normally the target's own so that the move is a rename
     * @param prefix the start of the directory name
     * @return the new directory
     * @throws IOException when the directory cannot be created
     */
    public static Path createTempDirectory(Path dir, String prefix) throws IOException {
        for (int i = 0; ; i++) {
            try {
                return Files.createDirectory(dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong())));
            } catch (FileAlreadyExistsException e) {
                if (i == ATTEMPTS) throw e;
            }
        }
    }
}
