package io.keras4j.format.h5;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.format.h5.testing.Oracle;
import io.keras4j.format.h5.testing.Zoo;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.KerasFile;
import io.keras4j.model.Model;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every HDF5 file of the zoo reads with Keras's weights; what keras4j writes loads in real Keras with equal outputs. */
class ZooTest {
    private final H5Codec h5 = new H5Codec();
    private final ShardedWeightsCodec sharded = new ShardedWeightsCodec();

    @Test
    void everyZooHdf5FileReadsWithTheWeightsKerasReported() throws Exception {
        Zoo zoo = Zoo.require();
        int files = 0;
        for (JsonObject m : zoo.models()) {
            String id = Zoo.id(m);
            var expected = zoo.weights(m);
            for (Path p : zoo.files(m, "h5")) {
                Model model = h5.read(p, ReadOptions.DEFAULT).model().orElseThrow();
                Zoo.assertWeightsEqual(model, expected, id + " " + p.getFileName());
                files++;
            }
            Model architecture = architecture(zoo, m);
            for (String format : List.of("weights-h5", "weights-h5-k2", "weights-sharded")) {
                for (Path p : zoo.files(m, format)) {
                    var codec = format.equals("weights-sharded") ? sharded : h5;
                    KerasFile read = codec.read(p, ReadOptions.DEFAULT);
                    assertThat(read.model()).as("%s %s is weights only", id, format).isEmpty();
                    assertThat(read.storedWeights()).as(id + " " + format).isNotEmpty();
                    Zoo.assertWeightsEqual(codec.loadWeights(architecture, p, LoadWeightsOptions.DEFAULT), expected, id + " " + format);
                    files++;
                }
            }
        }
        assertThat(files).isGreaterThan(20);
    }

    @Test
    void writtenFilesLoadInRealKerasWithTheReferenceOutputs() throws Exception {
        Zoo zoo = Zoo.require();
        Oracle.requirePython();
        Path out = Files.createDirectories(Path.of("target/zoo-roundtrip"));
        List<JsonObject> cases = new ArrayList<>();
        for (JsonObject m : zoo.models()) {
            List<Path> sources = zoo.files(m, "h5");
            if (sources.isEmpty()) continue;
            String id = Zoo.id(m);
            Model model = h5.read(sources.get(0), ReadOptions.DEFAULT).model().orElseThrow();
            Path dir = Files.createDirectories(out.resolve(id));
            String json = zoo.files(m, "json").get(0).toAbsolutePath().toString();
            if (m.getString("gen", "").equals("k3")) {
                h5.write(model, dir.resolve("model.h5"), WriteOptions.DEFAULT);
                cases.add(zoo.reverseCase(m, id + "/h5-keras3", "keras3.load_model", dir.resolve("model.h5")).build());
                h5.write(model, dir.resolve("model.weights.h5"), WriteOptions.DEFAULT);
                cases.add(zoo.reverseCase(m, id + "/weights.h5", "keras3.load_weights", dir.resolve("model.weights.h5"))
                        .put("architecture", json).build());
                sharded.write(model, dir.resolve("sharded.weights.json"), WriteOptions.DEFAULT.withProperty(
                        "weights-sharded.maxShardBytes", String.valueOf(Math.max(largest(model), model.weightBytes() / 3))));
                cases.add(zoo.reverseCase(m, id + "/sharded", "keras3.load_weights", dir.resolve("sharded.weights.json"))
                        .put("architecture", json).build());
            } else {
                WriteOptions k2 = WriteOptions.DEFAULT.withDialect(Dialect.KERAS2);
                h5.write(model, dir.resolve("model.h5"), k2);
                cases.add(zoo.reverseCase(m, id + "/h5-keras2", "tf_keras.load_model", dir.resolve("model.h5")).build());
                h5.write(model, dir.resolve("weights.h5"), k2.withWeightsOnly(true));
                cases.add(zoo.reverseCase(m, id + "/save-weights-h5", "tf_keras.load_weights", dir.resolve("weights.h5"))
                        .put("architecture", json).build());
            }
        }
        JsonObject report = Oracle.reverseCheck(cases, out);
        assertThat(report.getLong("failed", -1)).as("failed reverse checks, see the log above").isZero();
        assertThat(report.getLong("passed", 0)).isEqualTo(cases.size());
    }

    private static long largest(Model model) {
        return model.weights().stream().mapToLong(w -> w.value().byteSize()).max().orElse(0);
    }

    private static Model architecture(Zoo zoo, JsonObject m) throws Exception {
        Path json = zoo.files(m, "json").get(0);
        JsonValue tree = KerasJson.parse(Files.readString(json), json);
        return KerasJson.readModel(tree, json);
    }
}
