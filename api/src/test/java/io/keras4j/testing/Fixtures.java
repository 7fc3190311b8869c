package io.keras4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Where the test fixtures live. Shared by every module's tests through the api test jar. */
public final class Fixtures {
    private Fixtures() {}

    /** The repository root (surefire sets {@code keras4j.root}). */
    public static Path root() {
        return Path.of(System.getProperty("keras4j.root", "..")).toAbsolutePath().normalize();
    }

    /** {@code ../shared/fixtures/public}; skips the calling test visibly when {@code ../shared} is absent. */
    public static Path publicFixtures() {
        Path shared = Path.of(System.getProperty("keras4j.shared", root().resolve("../shared").toString())).toAbsolutePath().normalize();
        Path pub = shared.resolve("fixtures/public");
        if (!Files.isDirectory(pub)) {
            System.err.println("SKIPPED: " + pub + " is absent; tests over the shared public fixtures do not run");
        }
        Assumptions.assumeTrue(Files.isDirectory(pub), "../shared/fixtures/public is absent: skipping public-fixture tests");
        return pub;
    }

    /** The committed zoo, or the generated full zoo when {@code keras4j.zoo} names one. */
    public static Path zoo() {
        Path zoo = Path.of(System.getProperty("keras4j.zoo", root().resolve("fixtures/zoo").toString()));
        Assumptions.assumeTrue(Files.isRegularFile(zoo.resolve("manifest.json")), "no zoo manifest at " + zoo);
        return zoo;
    }

    /** Files under {@code dir} matching {@code filter}, sorted. */
    public static List<Path> find(Path dir, Predicate<Path> filter) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(filter).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
