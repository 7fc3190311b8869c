package io.keras4j.format.checkpoint.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.format.checkpoint.TfFixtures;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.testing.KerasOracle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies every tensor of a TensorFlow-written bundle (all dtypes incl. bfloat16, strings, the object graph) through
 * the writer; real TensorFlow must then read the copy exactly as it reads the original. With
 * {@code -Dkeras4j.checkpoint.export=DIR} the copy stays in {@code DIR/dtypes}.
 */
class BundleWriterTest {

    private static Path copy(Path temp) {
        String export = System.getProperty("keras4j.checkpoint.export");
        Path prefix = (export == null ? temp : Path.of(export).toAbsolutePath()).resolve("dtypes/ckpt");
        try (BundleReader source = TensorBundle.open(TfFixtures.dir("dtypes").resolve("ckpt"));
             BundleWriter w = BundleWriter.create(prefix)) {
            for (String key : source.keys()) w.add(key, source.read(key));
            w.finish();
        }
        return prefix;
    }

    @Test
    void copiesEveryDtypeBitExactly(@TempDir Path temp) {
        Path prefix = copy(temp);
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

    /** {@code tf.train.load_checkpoint} on both: same keys, dtypes, shapes and bytes (oracle/README.md, {@code same_as}). */
    @Test
    void realTensorFlowReadsTheCopyAsTheOriginal(@TempDir Path temp) throws Exception {
        KerasOracle.requirePython();
        Path prefix = copy(temp);
        JsonObject c = JsonObject.builder().put("id", "dtypes").put("loader", "tf.train.load_checkpoint")
                .put("path", prefix.toString())
                .put("same_as", TfFixtures.dir("dtypes").resolve("ckpt").toString()).build();
        Path cases = prefix.resolveSibling("cases.json");
        Files.writeString(cases, KerasJson.toText(JsonArray.of(c), true));
        Path report = KerasOracle.reverseCheck(cases, prefix.resolveSibling("report.json"));
        JsonObject r = KerasJson.parse(Files.readString(report), report).asObject().getArray("results").get(0).asObject();
        assertThat(r.getBoolean("ok", false)).as("TensorFlow reading the copy: %s", r.get("error")).isTrue();
        assertThat(r.getLong("params", 0)).as("elements TensorFlow read").isPositive();
    }
}
