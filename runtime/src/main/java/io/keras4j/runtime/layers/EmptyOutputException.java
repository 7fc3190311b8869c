package io.keras4j.runtime.layers;

import io.keras4j.UnsupportedModelException;

/**
 * A layer whose config leaves nothing of its input (a cropping wider than the axis): Keras 3 refuses to build it, so
 * besides failing the compile this tells a conversion to Keras 3 that the written file could never be loaded.
 */
public final class EmptyOutputException extends UnsupportedModelException {
    EmptyOutputException(String message) { super(message); }
}
