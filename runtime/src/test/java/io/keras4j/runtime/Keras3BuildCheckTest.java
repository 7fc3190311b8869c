package io.keras4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.Keras4j;
import io.keras4j.UnsupportedModelException;
import io.keras4j.core.Dialects;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import io.keras4j.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * DL4J's tf.keras 2.2.4 {@code cnn3d_20.h5} ends in a Cropping3D that crops its 1×1×1 input to nothing: tf.keras saved
 * it, Keras 3 refuses to build it ("Exception encountered when calling Cropping3D.call()", seen by
 * PublicKerasMigrationTest before this check). The runtime's shape inference sees it, so a conversion to Keras 3 is
 * refused through the {@link io.keras4j.spi.WriteCheck} service instead of writing a file Keras 3 cannot load.
 */
class Keras3BuildCheckTest {
    private static Model croppedToNothing() {
        return Keras4j.create().load(Fixtures.publicFixtures().resolve(
                "dl4j-test-resources/src/main/resources/modelimport/keras/tfkeras/cnn3d_20.h5"));
    }

    @Test
    void conversionToKeras3OfACroppingThatLeavesNothingIsRefused() {
        Model model = croppedToNothing();
        assertThatThrownBy(() -> Dialects.convertForWriting(model, Dialect.KERAS3, true))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContainingAll("cannot be written for KERAS3", "layer 'cropping3d_13' (Cropping3D)", "leaving none",
                        "Keras 3 refuses to build such a layer");
        assertThat(new Keras3BuildCheck().problems(model, Dialect.KERAS2)).as("tf.keras built it").isEmpty();
    }

    @Test
    void aModelKeras3BuildsPassesTheCheck() {
        Model model = Keras4j.create().load(Fixtures.publicFixtures().resolve(
                "dl4j-test-resources/src/main/resources/modelimport/keras/tfkeras/cnn3d_16.h5"));
        assertThat(new Keras3BuildCheck().problems(model, Dialect.KERAS3)).isEmpty();
    }

    @Test
    void theCheckIsFoundThroughTheServiceLoader() {
        assertThat(java.util.ServiceLoader.load(io.keras4j.spi.WriteCheck.class).stream().map(p -> (Object) p.type()))
                .contains(Keras3BuildCheck.class);
    }
}
