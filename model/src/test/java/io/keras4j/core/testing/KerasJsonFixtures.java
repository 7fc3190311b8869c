package io.keras4j.core.testing;

import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonValue;
import io.keras4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The Keras architecture JSON files among the shared public fixtures (Keras 1.0.5 to 2.3.1), for every codec's tests. */
public final class KerasJsonFixtures {
    private KerasJsonFixtures() {}

    public static List<Path> all() {
        return Fixtures.find(Fixtures.publicFixtures(), p -> p.toString().endsWith(".json") && isKerasModelJson(p));
    }

    /** Only files whose top level is a Keras model (frugally-deep and TF.js wrap theirs in other documents). */
    public static boolean isKerasModelJson(Path p) {
        try {
            JsonValue top = KerasJson.parse(Files.readString(p), p);
            return top.isObject() && top.asObject().has("class_name") && top.asObject().has("config");
        } catch (Exception e) {
            return false;
        }
    }
}
