package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keras4j.Keras4j;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every writer's output has the permissions a plain create gives under the build's umask: writers go through a temp
 * file or directory moved into place, and {@code Files.createTempFile}'s 0600 (0700 for directories) would otherwise
 * survive the move, leaving a model unreadable to TF Serving running as another user.
 */
class WrittenFileModesTest {
    private static final Keras4j KERAS = Keras4j.create();

    record Case(String id, String target, String codec, Dialect dialect, Map<String, String> properties) {}

    private static final List<Case> CASES = List.of(
            new Case("json-k3", "model.json", null, Dialect.KERAS3, Map.of()),
            new Case("json-k2", "model.json", null, Dialect.KERAS2, Map.of()),
            new Case("yaml", "model.yaml", null, Dialect.KERAS2, Map.of()),
            new Case("h5-k3", "model.h5", null, Dialect.KERAS3, Map.of()),
            new Case("h5-k2", "model.h5", null, Dialect.KERAS2, Map.of()),
            new Case("weights-h5", "model.weights.h5", null, Dialect.KERAS3, Map.of()),
            // Small shards so that several shard files are written besides the index.
            new Case("weights-sharded", "model.weights.json", null, Dialect.KERAS3, Map.of("weights-sharded.maxShardBytes", "4096")),
            new Case("keras-zip", "model.keras", null, Dialect.KERAS3, Map.of()),
            new Case("keras-dir", "model.keras", null, Dialect.KERAS3, Map.of("keras.zipped", "false")),
            new Case("checkpoint-k3", "ckpt/ckpt", "checkpoint", Dialect.KERAS3, Map.of()),
            new Case("checkpoint-k2", "ckpt/ckpt", "checkpoint", Dialect.KERAS2, Map.of()),
            new Case("savedmodel", "savedmodel", "savedmodel", Dialect.KERAS3, Map.of()),
            new Case("savedmodel-tf-keras", "savedmodel", "savedmodel", Dialect.KERAS2, Map.of("savedmodel.kerasObjects", "true")),
            new Case("third-party-toy", "model.toy", "toy", Dialect.KERAS3, Map.of()));

    @TempDir static Path dir;
    static Set<PosixFilePermission> plainFile;
    static Set<PosixFilePermission> plainDir;

    @BeforeAll
    static void plainSiblings() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "file modes are POSIX; this file system has none");
        plainFile = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain-file")));
        plainDir = Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("plain-dir")));
    }

    @TestFactory
    Stream<DynamicTest> everyWrittenFileAndDirectoryHasThePlainCreateMode() {
        Model model = KERAS.load(Fixtures.root().resolve("fixtures/zoo/mlp/k3/model.keras"));
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.id(), () -> {
            Path out = Files.createDirectory(dir.resolve(c.id()));
            Path target = out.resolve(c.target());
            Files.createDirectories(target.getParent());
            WriteOptions options = WriteOptions.DEFAULT.withDialect(c.dialect());
            for (var p : c.properties().entrySet()) options = options.withProperty(p.getKey(), p.getValue());
            KERAS.save(model, target, c.codec(), options);
            // A checkpoint target is a prefix: ckpt.index, ckpt.data-00000-of-00001 and checkpoint beside it.
            assertThat(Files.exists(target) || Files.exists(Path.of(target + ".index"))).as("%s wrote %s", c.id(), target).isTrue();
            List<Path> written;
            try (Stream<Path> s = Files.walk(out)) {
                written = s.filter(p -> !p.equals(out) && !p.equals(target.getParent())).toList();
            }
            assertThat(written).as("%s wrote no file", c.id()).anyMatch(Files::isRegularFile);
            for (Path p : written) {
                Set<PosixFilePermission> expected = Files.isDirectory(p) ? plainDir : plainFile;
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                        .as("%s: mode of %s (a plain create gives %s)", c.id(), out.relativize(p), PosixFilePermissions.toString(expected))
                        .isEqualTo(PosixFilePermissions.toString(expected));
            }
        }));
    }
}
