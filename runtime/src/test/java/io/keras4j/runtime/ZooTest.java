package io.keras4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.UnsupportedModelException;
import io.keras4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oracle's model zoo (fixtures/zoo, or -Dkeras4j.zoo=DIR for the full one): every model with an
 * architecture JSON predicts like Keras, custom and Lambda layers through {@link ZooLayers}.
 */
class ZooTest {

    static Stream<String> models() {
        Path zoo = Fixtures.zoo();
        return Fixtures.find(zoo, p -> p.getFileName().toString().equals("model.json")
                        && Files.exists(p.resolveSibling("weights.npz")) && Files.exists(p.resolveSibling("outputs_0.npy"))).stream()
                .map(p -> zoo.relativize(p.getParent()).toString().replace('\\', '/'));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void predictsLikeKeras(String name) {
        KerasCase c = KerasCase.load(Fixtures.zoo().resolve(name), name);
        Agreement.assertClose("zoo " + name, CompiledModel.compile(c.model()).predictTensors(c.inputs()), c.expected());
    }

    @Test
    void unknownLayerFailsAtCompileTimeSayingHowToPlugOneIn() {
        Path dir = Fixtures.zoo().resolve("custom/k3");
        assertThat(dir.resolve("model.json")).as("every zoo, the committed one too, holds custom/k3").isRegularFile();
        KerasCase c = KerasCase.load(dir, "custom/k3");
        RuntimeOptions noPlugins = RuntimeOptions.builder().discoverProviders(false).build();
        assertThatThrownBy(() -> CompiledModel.compile(c.model(), noPlugins))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("'scale'").hasMessageContaining("Scale")
                .hasMessageContaining("keras4j_zoo>Scale").hasMessageContaining("LayerProvider");
    }

    @Test
    void lambdaLayersNeedAProviderNamedAfterTheLayer() {
        Path dir = Fixtures.zoo().resolve("lambda/k3");
        assertThat(dir.resolve("model.json")).as("every zoo, the committed one too, holds lambda/k3").isRegularFile();
        KerasCase c = KerasCase.load(dir, "lambda/k3");
        assertThatThrownBy(() -> CompiledModel.compile(c.model(), RuntimeOptions.builder().discoverProviders(false).build()))
                .hasMessageContaining("'affine'").hasMessageContaining("Lambda").hasMessageContaining("never runs the Python");
        assertThat(CompiledModel.compile(c.model(), RuntimeOptions.builder().provider(new ZooLayers())
                .discoverProviders(false).build()).predictTensors(c.inputs())).hasSize(1);
    }
}
