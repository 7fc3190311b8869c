package io.keras4j.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.KerasJson;
import io.keras4j.model.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue #14, 7: sizes in a config that no tensor can have crashed compile with a raw exception
 * (NegativeArraySizeException, "integer overflow", IllegalArgumentException) or gave a silently wrong shape
 * (UpSampling1D(size=2**30) became [1, 0, 1]). Each is now an UnsupportedModelException naming the layer.
 */
class HugeConfigTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "RepeatVector|{\"n\": 2147483647}|[null, 4]",
        "UpSampling1D|{\"size\": 1073741824}|[null, 4, 1]",
        "Reshape|{\"target_shape\": [-5, -1]}|[null, 4]",
        "Dense|{\"units\": 2147483648}|[null, 4]"})
    void sizesNoTensorCanHaveAreRefusedNamingTheLayer(String className, String config, String inputShape) {
        String layerConfig = config.substring(0, config.length() - 1) + ", \"name\": \"huge\"}";
        String json = "{\"class_name\": \"Sequential\", \"keras_version\": \"2.21.0\", \"config\": {\"name\": \"m\", \"layers\": ["
                + "{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"in\", \"batch_input_shape\": " + inputShape
                + ", \"dtype\": \"float32\"}}, {\"class_name\": \"" + className + "\", \"config\": " + layerConfig + "}]}}";
        Model model = KerasJson.readModel(json, null);
        assertThatThrownBy(() -> CompiledModel.compile(model))
                .isInstanceOf(UnsupportedModelException.class).hasMessageContaining("'huge'");
    }
}
