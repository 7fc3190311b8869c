package io.keras4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** Where the test fixtures live. Shared by every module's tests through the api test jar. */
public final class Fixtures {
    private Fixtures() {}

    /** The repository root (surefire sets {@code keras4j.root}). */
    public static Path root() {
        return Path.of(System.getProperty("keras4j.root", "..")).toAbsolutePath().normalize();
    }

    /**
     * {@code ../shared/fixtures/public}. When it is absent the calling test skips visibly, unless
     * {@code keras4j.shared.required} is set (test.sh sets it under CI, where {@code ../shared} is always laid out):
     * then the test fails, so the public-fixture tests can never vanish from a green CI run.
     */
    public static Path publicFixtures() {
        Path shared = Path.of(System.getProperty("keras4j.shared", root().resolve("../shared").toString())).toAbsolutePath().normalize();
        Path pub = shared.resolve("fixtures/public");
        if (!Files.isDirectory(pub)) {
            String why = pub + " is absent: tests over the shared public fixtures do not run";
            if (Boolean.getBoolean("keras4j.shared.required")) Assertions.fail(why + " (keras4j.shared.required is set)");
            System.err.println("SKIPPED: " + why);
            Assumptions.abort(why);
        }
        return pub;
    }

    /** The committed zoo, or the generated full zoo when {@code keras4j.zoo} names one. */
    public static Path zoo() {
        Path zoo = Path.of(System.getProperty("keras4j.zoo", root().resolve("fixtures/zoo").toString()));
        if (!Files.isRegularFile(zoo.resolve("manifest.json"))) {
            String why = "no zoo manifest at " + zoo;
            if (Boolean.getBoolean("keras4j.oracle.required")) Assertions.fail(why + " (keras4j.oracle.required is set)");
            System.err.println("SKIPPED: " + why);
            Assumptions.abort(why);
        }
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
