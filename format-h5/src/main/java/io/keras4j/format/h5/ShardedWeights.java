package io.keras4j.format.h5;

import io.keras4j.CorruptModelException;
import io.keras4j.Keras4jException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.format.h5.hdf5.H5Attribute;
import io.keras4j.format.h5.hdf5.H5Dataset;
import io.keras4j.format.h5.hdf5.H5Group;
import io.keras4j.format.h5.hdf5.H5Node;
import io.keras4j.format.h5.hdf5.H5Reader;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.KerasFile;
import io.keras4j.model.KerasFile.StoredWeights;
import io.keras4j.model.Model;
import io.keras4j.spi.LoadWeightsOptions;
import io.keras4j.spi.OutputFiles;
import io.keras4j.spi.WriteOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keras 3 sharded weights ({@code save_weights("m.weights.json", max_shard_size=…)}): a JSON index whose
 * {@code weight_map} maps each {@code /…/vars} group to the shard files ({@code m_00000.weights.h5}, …) holding its
 * variables; a group may straddle shards. Shards are ordinary Keras 3 {@code .weights.h5} files.
 */
final class ShardedWeights {
    static final String CODEC = "weights-sharded";
    static final String MAX_SHARD_BYTES = CODEC + ".maxShardBytes";
    private static final long MAX_INDEX_BYTES = 64L << 20;
    private static final long DEFAULT_MAX_SHARD = 5L << 30; // Keras's default max_shard_size: 5 GB

    private ShardedWeights() {}

    private static long maxShardBytes(String value) {
        try {
            long max = Long.parseLong(value);
            if (max > 0) return max;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new io.keras4j.InvalidOptionException(CODEC, MAX_SHARD_BYTES, value, "a positive number of bytes");
    }

    static KerasFile read(Path index) {
        H5Group merged = readMerged(index);
        KerasFile.Builder out = KerasFile.builder(CODEC, index)
                .details(JsonObject.builder().put("layout", "object_path_weights").put("shards", shardNames(index).size()).build());
        for (StoredWeights g : ObjectPathLayout.read(merged)) out.addStoredWeights(g.key(), g.weights());
        return out.build();
    }

    static Model loadWeights(Model architecture, Path index, LoadWeightsOptions options) {
        return ObjectPathLayout.bind(architecture, readMerged(index), options.skipMismatch());
    }

    private static H5Group readMerged(Path index) {
        H5Group merged = H5Group.builder().build();
        for (String shard : shardNames(index)) merged = merge(merged, H5Reader.read(index.resolveSibling(shard), CODEC));
        return merged;
    }

    /** The distinct shard files the index names, each checked to be a plain file beside the index. */
    static List<String> shardNames(Path index) {
        JsonObject weightMap = parseIndex(index).getObject("weight_map");
        Set<String> names = new LinkedHashSet<>();
        for (Map.Entry<String, JsonValue> e : weightMap.members().entrySet()) {
            List<JsonValue> files = e.getValue().isArray() ? e.getValue().asArray().values() : List.of(e.getValue());
            for (JsonValue f : files) {
                String name = f.asText();
                if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals("..")) {
                    throw CorruptModelException.in(index).codec(CODEC).at("weight_map/" + e.getKey())
                            .because("shard entry " + f + " is not a file name beside the index");
                }
                if (!Files.isRegularFile(index.resolveSibling(name))) {
                    throw CorruptModelException.in(index).codec(CODEC).at("weight_map/" + e.getKey())
                            .because("shard file " + name + " is missing");
                }
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    static JsonObject parseIndex(Path index) {
        try {
            long size = Files.size(index);
            if (size > MAX_INDEX_BYTES) throw CorruptModelException.in(index).codec(CODEC).because("index of " + size + " bytes is too large");
            JsonValue v = KerasJson.parse(Files.readString(index), index);
            if (!v.isObject() || !v.asObject().get("weight_map").isObject()) {
                throw CorruptModelException.in(index).codec(CODEC).because("no weight_map object in the sharded weights index");
            }
            return v.asObject();
        } catch (IOException e) {
            throw CorruptModelException.in(index).codec(CODEC).cause(e).because("cannot read the index: " + e.getMessage());
        }
    }

    /** Union of two trees; groups present in both are merged, so a vars group split over shards comes back whole. */
    static H5Group merge(H5Group a, H5Group b) {
        H5Group.Builder out = H5Group.builder();
        a.attributes().forEach(out::attribute);
        b.attributes().forEach(out::attribute);
        Map<String, H5Node> children = new LinkedHashMap<>(a.children());
        b.children().forEach((k, v) -> children.merge(k, v,
                (x, y) -> x instanceof H5Group gx && y instanceof H5Group gy ? merge(gx, gy) : y));
        children.forEach(out::child);
        return out.build();
    }

    static void write(Model model, Path index, WriteOptions options) {
        long max = options.property(MAX_SHARD_BYTES).map(ShardedWeights::maxShardBytes).orElse(DEFAULT_MAX_SHARD);
        String file = index.getFileName().toString();
        if (!file.endsWith(".weights.json")) throw new UnsupportedModelException(CODEC + ": the index name must end in .weights.json: " + index);
        String base = file.substring(0, file.length() - ".weights.json".length());
        Sharder sharder = new Sharder(max, base);
        sharder.walk(ObjectPathLayout.write(model, options.includeOptimizer()), "");
        List<H5Group> shards = sharder.finish();
        // every file about to be replaced is checked before the first is written: HDF5 shards and a JSON index only
        boolean overwrite = OutputFiles.overwrite(options);
        for (int i = 0; i < shards.size(); i++) {
            OutputFiles.checkReplaceable(index.resolveSibling(sharder.shardName(i)).toAbsolutePath(), CODEC, false, overwrite,
                    p -> OutputFiles.startsWith(p, KerasH5.HDF5_SIGNATURE));
        }
        OutputFiles.checkReplaceable(index.toAbsolutePath(), CODEC, false, overwrite, p -> OutputFiles.startsWith(p, new byte[] {'{'}));
        List<Path> written = new ArrayList<>();
        try {
            for (int i = 0; i < shards.size(); i++) {
                Path shard = index.resolveSibling(sharder.shardName(i));
                KerasH5.writeAtomically(shards.get(i), shard);
                written.add(shard);
            }
            JsonObject.Builder weightMap = JsonObject.builder();
            sharder.weightMap.forEach((k, v) -> weightMap.put(k, JsonArray.of(v.stream().map(s -> (JsonValue) new io.keras4j.json.JsonString(s)).toArray(JsonValue[]::new))));
            JsonObject json = JsonObject.builder()
                    .put("metadata", JsonObject.builder().put("total_size", (double) sharder.totalBytes).build())
                    .put("weight_map", weightMap.build()).build();
            Path tmp = OutputFiles.createTempFile(index.toAbsolutePath().getParent(), "." + file, ".tmp");
            Files.writeString(tmp, KerasJson.toText(json, true));
            Files.move(tmp, index, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            for (Path p : written) {
                try { Files.deleteIfExists(p); } catch (IOException ignored) { /* best effort */ }
            }
            if (e instanceof Keras4jException k) throw k;
            throw new Keras4jException(CODEC + ": cannot write " + index + ": " + e.getMessage(), e);
        }
    }

    /** Spreads the datasets of a Keras 3 weights tree over shards of at most {@code max} bytes, in tree order. */
    private static final class Sharder {
        private final long max;
        private final String base;
        private final List<Map<String, Object>> shards = new ArrayList<>();
        private final Map<String, List<String>> weightMap = new LinkedHashMap<>();
        private long current;
        private long totalBytes;

        Sharder(long max, String base) {
            this.max = max;
            this.base = base;
            shards.add(new LinkedHashMap<>());
        }

        String shardName(int i) { return String.format("%s_%05d.weights.h5", base, i); }

        /**
         * Keras's save order, which decides where shards split: an object's own variables, then its attributes by
         * name (Python's {@code dir()}, so a Bidirectional's backward_layer before its forward_layer), except the
         * items of a {@code layers} list, which stay in model order.
         */
        void walk(H5Group g, String path) {
            if (g.children().get("vars") instanceof H5Group vars) vars(vars, path + "/vars");
            List<String> names = new ArrayList<>(g.children().keySet());
            if (!path.endsWith("/layers")) names.sort(null);
            for (String name : names) {
                if (!name.equals("vars") && g.children().get(name) instanceof H5Group child) walk(child, path + "/" + name);
            }
        }

        private void vars(H5Group vars, String path) {
            if (vars.children().isEmpty()) {
                group(path).put("@", vars.attributes());
                return;
            }
            for (Map.Entry<String, H5Node> e : vars.children().entrySet()) {
                long size = ((H5Dataset) e.getValue()).value().byteSize();
                if (size > max) {
                    throw new UnsupportedModelException(CODEC + ": variable " + path + "/" + e.getKey() + " of " + size
                            + " bytes exceeds the maximum shard size of " + max + " bytes");
                }
                if (current > 0 && current + size > max) {
                    shards.add(new LinkedHashMap<>());
                    current = 0;
                }
                current += size;
                totalBytes += size;
                Map<String, Object> g = group(path);
                g.put("@", vars.attributes());
                g.put(e.getKey(), e.getValue());
                List<String> files = weightMap.computeIfAbsent(path, k -> new ArrayList<>());
                String shard = shardName(shards.size() - 1);
                if (!files.contains(shard)) files.add(shard);
            }
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> group(String path) {
            Map<String, Object> node = shards.get(shards.size() - 1);
            for (String part : path.substring(1).split("/")) {
                node = (Map<String, Object>) node.computeIfAbsent(part, k -> new LinkedHashMap<String, Object>());
            }
            return node;
        }

        List<H5Group> finish() {
            List<H5Group> out = new ArrayList<>();
            for (Map<String, Object> s : shards) out.add(build(s));
            return out;
        }

        @SuppressWarnings("unchecked")
        private static H5Group build(Map<String, Object> node) {
            H5Group.Builder b = H5Group.builder();
            node.forEach((k, v) -> {
                if (k.equals("@")) ((Map<String, H5Attribute>) v).forEach(b::attribute);
                else if (v instanceof H5Node n) b.child(k, n);
                else b.child(k, build((Map<String, Object>) v));
            });
            return b.build();
        }
    }
}
