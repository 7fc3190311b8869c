package io.keras4j.model;

import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One call of a layer in a functional graph: the tensors it consumed (flattened, in call order), its keyword
 * arguments, and the node exactly as the source file spelled it, which writers of the same dialect reuse verbatim.
 */
public record InboundNode(List<TensorRef> inputs, JsonObject kwargs, JsonValue raw) {
    public InboundNode {
        inputs = List.copyOf(inputs);
        kwargs = Objects.requireNonNullElse(kwargs, JsonObject.EMPTY);
    }

    public static InboundNode of(List<TensorRef> inputs) { return new InboundNode(inputs, JsonObject.EMPTY, null); }

    /** The node as read, when it came from a file. */
    public Optional<JsonValue> rawNode() { return Optional.ofNullable(raw); }
}
