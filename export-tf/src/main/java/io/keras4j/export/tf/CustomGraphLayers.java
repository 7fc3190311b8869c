package io.keras4j.export.tf;

import io.keras4j.UnsupportedModelException;
import io.keras4j.format.checkpoint.bundle.TfDataTypes;
import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.DataType;
import io.keras4j.export.tf.spi.TfOpBuilder;
import io.keras4j.export.tf.spi.GraphLayer;
import io.keras4j.export.tf.spi.GraphLayerProvider;
import io.keras4j.export.tf.spi.GraphTensor;
import io.keras4j.model.Layer;
import io.keras4j.model.Weight;
import io.keras4j.tensor.DType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

/** The {@link GraphLayerProvider}s on the class path, and the bridge between their graph API and {@link TfFunction}. */
final class CustomGraphLayers {
    private final List<GraphLayerProvider> providers;

    private CustomGraphLayers(List<GraphLayerProvider> providers) { this.providers = List.copyOf(providers); }

    /** The providers {@link ServiceLoader} finds for this module's class loader and the thread's. */
    static CustomGraphLayers discover() {
        List<GraphLayerProvider> found = new ArrayList<>();
        ServiceLoader.load(GraphLayerProvider.class).forEach(found::add);
        if (found.isEmpty()) ServiceLoader.load(GraphLayerProvider.class, CustomGraphLayers.class.getClassLoader()).forEach(found::add);
        return new CustomGraphLayers(found);
    }

    Optional<GraphLayer> find(Layer layer) {
        for (GraphLayerProvider p : providers) {
            Optional<GraphLayer> g = p.create(layer);
            if (g.isPresent()) return g;
        }
        return Optional.empty();
    }

    /** Runs a provider's layer over the call's inputs; its outputs carry no Keras mask. */
    static List<KerasTensor> emit(GraphLayer graphLayer, LayerCall call, TfFunction f, Function<Weight, Tensor> read) {
        Layer layer = call.layer();
        for (int i = 0; i < call.inputs().size(); i++) {
            if (call.inputs().get(i).mask() != null) {
                throw new UnsupportedModelException("layer '" + layer.name() + "' (" + layer.className() + ", from a "
                        + "GraphLayerProvider): its input " + i + " carries a Keras mask, which provider graphs do not receive");
            }
        }
        List<GraphTensor> inputs = call.inputs().stream().<GraphTensor>map(t -> new Handle(t.value())).toList();
        List<GraphTensor> weights = layer.weights().stream().<GraphTensor>map(w -> new Handle(read.apply(w))).toList();
        List<GraphTensor> out = graphLayer.call(new Builder(f, layer.name()), inputs, weights, call.outputShapes());
        List<KerasTensor> result = new ArrayList<>();
        for (GraphTensor t : out) {
            if (!(t instanceof Handle h)) {
                throw new IllegalStateException("layer '" + layer.name() + "': its GraphLayer returned a tensor it did not get from the TfOpBuilder");
            }
            result.add(KerasTensor.of(h.tensor()));
        }
        return result;
    }

    private record Handle(Tensor tensor) implements GraphTensor {
        @Override public long[] shape() { return tensor.shape().clone(); }

        @Override public DType dtype() { return dtypeOf(tensor.dtype()); }
    }

    private record Builder(TfFunction f, String layerName) implements TfOpBuilder {
        @Override
        public GraphTensor op(String type, String outputArg, List<GraphTensor> inputs, Map<String, Object> attrs, DType outType,
                              long[] outShape) {
            List<String> refs = new ArrayList<>();
            for (GraphTensor in : inputs) refs.add(handle(in).ref());
            Map<String, AttrValue> converted = new HashMap<>();
            attrs.forEach((k, v) -> converted.put(k, attr(k, v)));
            return new Handle(f.op(type, outputArg, layerName + "/" + type, outShape.clone(), refs, converted, dataType(outType)));
        }

        @Override
        public GraphTensor constant(io.keras4j.tensor.Tensor value) {
            return new Handle(f.constant(layerName + "/Const", dataType(value.dtype()), value.shape(), value.data().buffer()));
        }

        private Tensor handle(GraphTensor t) {
            if (t instanceof Handle h) return h.tensor();
            throw new IllegalArgumentException("layer '" + layerName + "': a GraphTensor must come from this TfOpBuilder");
        }

        private AttrValue attr(String key, Object v) {
            if (v instanceof DType d) return TfFunction.type(dataType(d));
            if (v instanceof Boolean b) return TfFunction.bool(b);
            if (v instanceof Integer || v instanceof Long) return AttrValue.newBuilder().setI(((Number) v).longValue()).build();
            if (v instanceof Float || v instanceof Double) return TfFunction.flt(((Number) v).floatValue());
            if (v instanceof String s) return TfFunction.str(s);
            if (v instanceof long[] l) return TfFunction.ints(l);
            if (v instanceof int[] ints) return TfFunction.ints(java.util.Arrays.stream(ints).asLongStream().toArray());
            throw new IllegalArgumentException("layer '" + layerName + "': attr '" + key + "' has a value of type "
                    + (v == null ? "null" : v.getClass().getName()) + ", which TfOpBuilder does not convert");
        }
    }

    private static DataType dataType(DType d) { return DataType.forNumber(TfDataTypes.toCode(d)); }

    private static DType dtypeOf(DataType t) {
        return TfDataTypes.toDType(t.getNumber()).orElseThrow(() -> new IllegalStateException("no keras4j dtype for " + t));
    }
}
