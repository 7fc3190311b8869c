package io.keras4j.it;

import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The zoo written by real Keras (oracle/generate.py): its manifest, reference inputs, outputs and weights. */
final class Zoo {
    private final Path dir;
    private final JsonObject manifest;

    private Zoo(Path dir) {
        this.dir = dir;
        Path m = dir.resolve("manifest.json");
        try {
            this.manifest = KerasJson.parse(Files.readString(m), m).asObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The zoo the build was given ({@code keras4j.zoo}: the full generated one in test.sh), else the committed set. */
    static Zoo current() { return new Zoo(Fixtures.zoo()); }

    /** The committed fixture set. */
    static Zoo committed() { return new Zoo(Fixtures.root().resolve("fixtures/zoo")); }

    Path dir() { return dir; }

    JsonObject manifest() { return manifest; }

    List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (JsonValue v : manifest.getArray("models")) out.add(new Entry(v.asObject()));
        return out;
    }

    /** One model of one Keras generation. */
    final class Entry {
        final JsonObject json;

        Entry(JsonObject json) { this.json = json; }

        String model() { return json.getString("model", ""); }

        String gen() { return json.getString("gen", ""); }

        String id() { return model() + "-" + gen(); }

        boolean custom() { return !json.getArray("custom_objects").isEmpty(); }

        Path path(String relative) { return dir.resolve(relative).toAbsolutePath(); }

        List<Path> inputs() { return json.getArray("inputs").values().stream().map(v -> path(v.asText())).toList(); }

        List<Path> outputs() { return json.getArray("outputs").values().stream().map(v -> path(v.asText())).toList(); }

        List<JsonObject> files() { return json.getArray("files").values().stream().map(JsonValue::asObject).toList(); }

        Optional<Path> file(String format) {
            return files().stream().filter(f -> f.getString("format", "").equals(format)).findFirst()
                    .map(f -> path(f.getString("path", "")));
        }

        List<JsonObject> layers() { return json.getArray("layers").values().stream().map(JsonValue::asObject).toList(); }

        Map<String, Tensor> weights() { return Npy.readNpz(path(json.getString("weights", ""))); }

        long totalParams() { return json.getObject("params").getLong("total", -1); }

        @Override public String toString() { return id(); }
    }
}
