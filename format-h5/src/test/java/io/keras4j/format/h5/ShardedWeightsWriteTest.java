package io.keras4j.format.h5;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.format.h5.testing.Zoo;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/**
 * The sharded writer splits where Keras splits: for every Keras 3 zoo model, written with the {@code max_shard_size}
 * the generator gave Keras ({@code oracle/gen_k3.py} {@code shard_size_gb}: the larger of the largest variable and
 * half the total, plus half a byte), keras4j writes the same shard files and the same {@code weight_map} as Keras's
 * {@code model.weights.json}, and the shards read back as Keras's weights.
 */
class ShardedWeightsWriteTest {
    @TempDir Path dir;

    @Test
    void sameShardsAndWeightMapAsKeras() throws Exception {
        Zoo zoo = Zoo.require();
        ShardedWeightsCodec codec = new ShardedWeightsCodec();
        int compared = 0;
        for (JsonObject m : zoo.models()) {
            if (!m.getString("gen", "").equals("k3")) continue;
            for (Path kerasIndex : zoo.files(m, "weights-sharded")) {
                String id = Zoo.id(m);
                Path json = zoo.files(m, "json").get(0);
                Model model = new H5Codec().loadWeights(KerasJson.readModel(Files.readString(json), json),
                        zoo.files(m, "weights-h5").get(0), LoadWeightsOptions.DEFAULT);
                long largest = 0;
                long total = 0;
                for (Weight w : model.weights()) {
                    largest = Math.max(largest, w.value().byteSize());
                    total += w.value().byteSize();
                }
                // Keras's limit in bytes, as gen_k3.py computed it: (max(largest, total / 2) + 0.5) / 1024**3 GB.
                long max = (long) Math.floor(Math.max(largest, total / 2.0) + 0.5);
                Path index = Files.createDirectories(dir.resolve(id)).resolve("model.weights.json");
                codec.write(model, index, WriteOptions.DEFAULT.withProperty("weights-sharded.maxShardBytes", Long.toString(max)));

                assertThat(shardFiles(index.getParent())).as("%s shard files", id).isEqualTo(shardFiles(kerasIndex.getParent()));
                assertThat(shardFiles(index.getParent())).as("%s: the limit splits the weights", id).hasSizeGreaterThan(1);
                JsonObject ours = KerasJson.parse(Files.readString(index), index).asObject();
                JsonObject keras = KerasJson.parse(Files.readString(kerasIndex), kerasIndex).asObject();
                assertThat(shardLists(ours)).as("%s weight_map", id).isEqualTo(shardLists(keras));
                assertThat(ours.getObject("metadata").getDouble("total_size", -1)).as("%s total_size", id)
                        .isEqualTo(keras.getObject("metadata").getDouble("total_size", -2));
                Zoo.assertWeightsEqual(codec.loadWeights(KerasJson.readModel(Files.readString(json), json), index,
                        LoadWeightsOptions.DEFAULT), zoo.weights(m), index.toString());
                compared++;
            }
        }
        assertThat(compared).as("Keras 3 zoo models with Keras's sharded weights").isGreaterThanOrEqualTo(10);
    }

    /** Group → shard files in save order; Keras writes a group held by its first shard as a bare string, else a list. */
    private static List<String> shardLists(JsonObject index) {
        JsonObject map = index.getObject("weight_map");
        return map.keys().stream().map(k -> k + " " + (map.get(k).isString() ? List.of(map.get(k).asText())
                : map.get(k).asArray().values().stream().map(v -> v.asText()).toList())).toList();
    }

    private static List<String> shardFiles(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".weights.h5")).sorted().toList();
        }
    }
}
