package io.keras4j.runtime.layers;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.core.LayerCatalogue;
import org.junit.jupiter.api.Test;

/** The runtime's op table and the model core's catalogue name the same classes, so a new layer is one row plus one op. */
class BuiltinOpsTest {
    @Test
    void everyOpIsKeyedByACataloguedClassNameNeverAnAlias() {
        LayerCatalogue catalogue = LayerCatalogue.keras();
        assertThat(BuiltinOps.classNames()).isNotEmpty().allSatisfy(name ->
                assertThat(catalogue.isBuiltin(name)).as("%s is a class of the catalogue", name).isTrue());
    }
}
