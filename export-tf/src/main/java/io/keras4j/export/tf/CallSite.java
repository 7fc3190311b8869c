package io.keras4j.export.tf;

import io.keras4j.core.KerasCall;
import io.keras4j.model.InboundNode;
import io.keras4j.model.TensorRef;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors one layer call consumes, split as the layer sees them, and where its {@code mask} argument comes
 * from. Keras 2 layers take the masks their inputs carry. A Keras 3 node may record the {@code mask} argument as
 * keyword tensors (computed by operation nodes such as NotEqual/Any), which become masks instead of inputs; when
 * it records none, Keras 3 fills the argument from the inputs' masks only for a call with one tensor argument (a
 * list counts as one), as {@code Layer.__call__} does.
 *
 * @param masks {@code null} when the layer takes the masks its inputs carry; otherwise its {@code mask} argument
 *     per input ({@code null} entries: none; empty: no mask at all)
 */
record CallSite(List<TensorRef> inputs, List<TensorRef> masks) {

    static CallSite of(InboundNode node) {
        KerasCall call = KerasCall.of(node);
        if (!call.recorded()) return new CallSite(call.inputs(), null);
        List<TensorRef> masks = call.maskArguments() == null ? List.of() : call.maskArguments();
        if (masks.stream().anyMatch(java.util.Objects::nonNull)) return new CallSite(call.inputs(), masks);
        return new CallSite(call.inputs(), call.tensorArguments() == 1 ? null : List.of());
    }

    /** Every tensor this call waits for. */
    List<TensorRef> dependencies() {
        List<TensorRef> all = new ArrayList<>(inputs);
        if (masks != null) masks.stream().filter(java.util.Objects::nonNull).forEach(all::add);
        return all;
    }
}
