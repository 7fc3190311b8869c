package io.keras4j.format.checkpoint;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The small checkpoints TensorFlow 2.21 / Keras 3.15 / tf_keras 2.21 wrote (src/test/python/gen_*.py). */
public final class TfFixtures {
    private TfFixtures() {}

    public static Path dir(String name) {
        try {
            return Path.of(TfFixtures.class.getResource("/tf/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
