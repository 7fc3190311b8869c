package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.json.JsonObject;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which layers are keras.applications' own classes: their module, or where a file keeps none, their exact config keys. */
class ApplicationLayersTest {
    private static final JsonObject LAYER_SCALE = JsonObject.builder().put("name", "ls").put("trainable", true)
            .put("dtype", "float32").put("init_values", 1e-6).put("projection_dim", 4).build();

    @Test
    void theApplicationsModulesOfBothGenerationsAreRecognised() {
        assertThat(ApplicationLayers.identify("LayerScale", Optional.of("keras.src.applications.convnext"), LAYER_SCALE))
                .contains(ApplicationLayers.Kind.LAYER_SCALE);
        assertThat(ApplicationLayers.identify("LayerScale", Optional.of("tf_keras.src.applications.convnext"), LAYER_SCALE))
                .contains(ApplicationLayers.Kind.LAYER_SCALE);
        JsonObject scale = JsonObject.builder().put("name", "cs").put("scale", 0.17).build();
        assertThat(ApplicationLayers.identify("Custom>CustomScaleLayer", Optional.empty(), scale))
                .contains(ApplicationLayers.Kind.CUSTOM_SCALE);
    }

    /** A user's own LayerScale (CaiT and others have one) stays the user's: another module, or other config keys. */
    @Test
    void aUsersClassOfTheSameNameIsNotTaken() {
        assertThat(ApplicationLayers.identify("LayerScale", Optional.of("my_models.cait"), LAYER_SCALE)).isEmpty();
        assertThat(ApplicationLayers.identify("LayerScale", Optional.of("keras.src.applications.inception_resnet_v2"), LAYER_SCALE)).isEmpty();
        JsonObject cait = JsonObject.builder().put("name", "ls").put("init_values", 1e-5).put("dim", 4).build();
        assertThat(ApplicationLayers.identify("LayerScale", Optional.empty(), cait)).isEmpty();
        assertThat(ApplicationLayers.identify("LayerScale", Optional.empty(), LAYER_SCALE)).contains(ApplicationLayers.Kind.LAYER_SCALE);
    }

    @Test
    void eachGenerationsSpellingOfTheClass() {
        assertThat(ApplicationLayers.Kind.CUSTOM_SCALE.registeredName(false)).isEqualTo("Custom>CustomScaleLayer");
        assertThat(ApplicationLayers.Kind.CUSTOM_SCALE.registeredName(true)).isEqualTo("CustomScaleLayer");
        assertThat(ApplicationLayers.Kind.STOCHASTIC_DEPTH.keras3Module()).isEqualTo("keras.src.applications.convnext");
    }
}
