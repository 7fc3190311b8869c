package io.keras4j.format.keras;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.format.h5.H5Codec;
import io.keras4j.format.h5.testing.Oracle;
import io.keras4j.format.h5.testing.Zoo;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.spi.Codec;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Conversions checked by real Keras: every zoo model, read from what Keras 3 or tf_keras saved, written as a
 * {@code .keras} that Keras 3 {@code load_model}s (a tf.keras {@code .h5} among them: the Keras 2 → 3 dialect
 * conversion) and, from Keras 3 archives, as a tf.keras {@code .h5} that tf_keras loads; predictions must match the
 * zoo's reference outputs.
 */
class RealKerasTest {
    private final KerasArchiveCodec keras = new KerasArchiveCodec();
    private final H5Codec h5 = new H5Codec();

    @Test
    void convertedFilesLoadInRealKerasWithTheReferenceOutputs() throws Exception {
        Zoo zoo = Zoo.require();
        Oracle.requirePython();
        Path out = Files.createDirectories(Path.of("target/real-keras"));
        List<JsonObject> cases = new ArrayList<>();
        for (JsonObject m : zoo.models()) {
            String id = Zoo.id(m);
            Path dir = Files.createDirectories(out.resolve(id));
            boolean k3 = m.getString("gen", "").equals("k3");
            for (Path source : k3 ? zoo.files(m, "keras") : concat(zoo.files(m, "h5"), zoo.files(m, "keras"))) {
                String from = source.getFileName().toString().replace('.', '_');
                Model model = (source.toString().endsWith(".h5") ? (Codec) h5 : keras).read(source, ReadOptions.DEFAULT).model().orElseThrow();
                Path archive = dir.resolve("from_" + from + ".keras");
                keras.write(model, archive, WriteOptions.DEFAULT);
                cases.add(zoo.reverseCase(m, id + "/" + from + "-to-keras", "keras3.load_model", archive).build());
                if (k3) {
                    Path legacy = dir.resolve("from_" + from + ".h5");
                    h5.write(model, legacy, WriteOptions.DEFAULT.withDialect(Dialect.KERAS2));
                    cases.add(zoo.reverseCase(m, id + "/" + from + "-to-tf-keras-h5", "tf_keras.load_model", legacy).build());
                }
            }
        }
        JsonObject report = Oracle.reverseCheck(cases, out);
        List<String> unexpected = new ArrayList<>();
        for (JsonValue v : report.getArray("results")) {
            JsonObject r = v.asObject();
            if (r.getBoolean("ok", false)) continue;
            String id = r.getString("id", "");
            String error = r.getString("error", "");
            Optional<String> gap = KNOWN_DIALECT_GAPS.stream().filter(g -> g.matches(id, error)).map(KnownGap::what).findFirst();
            if (gap.isPresent()) System.out.println("KNOWN DIALECT GAP (format-json Dialects) " + id + ": " + gap.get());
            else unexpected.add(id + ": " + error);
        }
        assertThat(unexpected).as("reverse checks failing for other reasons than the known dialect gaps").isEmpty();
        assertThat(report.getLong("passed", 0)).as("cases that load and predict the reference outputs").isPositive();
    }

    /** A failure of format-json's dialect conversion (not this module's to change): which cases, Keras's error, why. */
    private record KnownGap(String idPattern, String errorPattern, String what) {
        boolean matches(String id, String error) {
            return Pattern.matches(idPattern, id) && Pattern.compile(errorPattern).matcher(error).find();
        }
    }

    /** Reported to the format-json owner with the proposed fixes (README "Verified in real Keras"). */
    private static final List<KnownGap> KNOWN_DIALECT_GAPS = List.of(
            new KnownGap(".*-k3/.*-to-tf-keras-h5", "'input_axes': None, 'output_axes': None|'quantization_config'",
                    "Keras-3-only keys kept (initializer input_axes/output_axes, quantization_config)"),
            new KnownGap("attention-k3/.*-to-tf-keras-h5", "KeyError: 'query_shape'",
                    "MultiHeadAttention config lacks query_shape/key_shape/value_shape"),
            new KnownGap("(cnn|resnet|trained|mobilenetv2)-k2/model_h5-to-keras", "could not be deserialized properly",
                    "BatchNormalization axis [n] kept as a list (Keras 3 calls int(axis))"),
            new KnownGap("attention-k2/model_h5-to-keras", "could not be deserialized properly",
                    "MultiHeadAttention's value call kwarg dropped (build() missing 'value_shape')"),
            new KnownGap("nested-k2/model_h5-to-keras", "'inner', 1, 0",
                    "a nested model's Keras 2 node index 1 kept (Keras 3 numbers it 0)"),
            new KnownGap(".*-k2/model_keras-to-keras",
                    "Could not locate class 'Functional'|could not be deserialized properly|passed to Lambda|'inner', 1, 0",
                    "tf_keras's own .keras read as Keras 3: tf_keras modules and Keras 2 layer configs pass unconverted"));

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
