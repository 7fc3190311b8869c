package io.keras4j.spi;

import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import java.util.List;

/**
 * A check a conversion runs before a model is written in another Keras generation, for what only a module that knows
 * more than configs can see: keras4j's runtime, which infers shapes, registers one ({@link java.util.ServiceLoader},
 * {@code META-INF/services/io.keras4j.spi.WriteCheck}) that finds layers Keras 3 would refuse to build, such as a
 * cropping that leaves nothing of its input. Without such a module on the class path the conversion simply does not
 * know, as before.
 */
public interface WriteCheck {
    /**
     * Why real Keras of the {@code target} generation could not load {@code model} once converted, one sentence per
     * layer, naming it; empty when this check sees nothing wrong or cannot tell.
     */
    List<String> problems(Model model, Dialect target);
}
