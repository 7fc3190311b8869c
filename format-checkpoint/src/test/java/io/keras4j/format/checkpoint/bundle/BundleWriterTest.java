package io.keras4j.format.checkpoint.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.format.checkpoint.TfFixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies every tensor of a TensorFlow-written bundle (all dtypes, strings, the object graph) through the writer.
 * With {@code -Dkeras4j.checkpoint.export=DIR} the copy stays in {@code DIR/dtypes} for checking with
 * {@code tf.train.load_checkpoint}.
 */
class BundleWriterTest {

    @Test
    void copiesEveryDtypeBitExactly(@TempDir Path temp) {
        String export = System.getProperty("keras4j.checkpoint.export");
        Path prefix = (export == null ? temp : Path.of(export)).resolve("dtypes/ckpt");
        try (BundleReader source = TensorBundle.open(TfFixtures.dir("dtypes").resolve("ckpt"));
             BundleWriter w = BundleWriter.create(prefix)) {
            for (String key : source.keys()) w.add(key, source.read(key));
            w.finish();
        }
        try (BundleReader source = TensorBundle.open(TfFixtures.dir("dtypes").resolve("ckpt"));
             BundleReader copy = TensorBundle.open(prefix)) {
            assertThat(copy.keys()).isEqualTo(source.keys());
            for (String key : source.keys()) {
                assertThat(copy.read(key).contentEquals(source.read(key))).as(key).isTrue();
                assertThat(copy.entry(key).crc32c()).as(key).isEqualTo(source.entry(key).crc32c());
            }
            assertThat(copy.objectGraph().size()).isEqualTo(source.objectGraph().size());
        }
    }
}
