package io.keras4j.export.tf;

import io.keras4j.InvalidOptionException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.format.checkpoint.bundle.BundleWriter;
import io.keras4j.format.checkpoint.bundle.TfDataTypes;
import io.keras4j.format.savedmodel.DirectoryWrite;
import io.keras4j.format.savedmodel.SavedModelDir;
import io.keras4j.export.tf.TfFunction.Tensor;
import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.DataType;
import io.keras4j.tf.proto.FunctionDefLibrary;
import io.keras4j.tf.proto.GraphDef;
import io.keras4j.tf.proto.MetaGraphDef;
import io.keras4j.tf.proto.NameAttrList;
import io.keras4j.tf.proto.NodeDef;
import io.keras4j.tf.proto.SavedModel;
import io.keras4j.tf.proto.SaverDef;
import io.keras4j.tf.proto.SignatureDef;
import io.keras4j.tf.proto.TensorInfo;
import io.keras4j.tf.proto.VersionDef;
import io.keras4j.tf.proto.keras.SavedMetadata;
import io.keras4j.format.savedmodel.spi.SavedModelExporter;
import io.keras4j.core.Dialects;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.spi.OutputFiles;
import io.keras4j.spi.WriteOptions;
import io.keras4j.tensor.DType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a Keras model as a serving SavedModel, structured as {@code tf.saved_model.save} structures a
 * {@code tf.Module} with one signature: the forward pass as a FunctionDef over the variables (resource arguments
 * read with ReadVariableOp), a graph that creates the variables (VarHandleOp) and calls the function for the
 * {@code serving_default} SignatureDef, a SavedObjectGraph (root → {@code variables} list, {@code signatures} →
 * {@code serving_default}) and the variables checkpoint whose object graph mirrors it node for node.
 */
final class SavedModelWriter {
    /** The GraphDef version TensorFlow 2.21 writes; consumers accept any producer at or above their minimum. */
    private static final int GRAPH_PRODUCER = 2474;
    private static final int GRAPH_MIN_CONSUMER = 12;
    private static final String SIGNATURE = "serving_default";
    private static final String FUNCTION = "__inference_signature_wrapper_serving_default_keras4j";
    /** In the serving-only graph: node 0 the root, node 1 its {@code variables} list, then the variables. */
    private static final int SERVING_ONLY_FIRST_VARIABLE = 2;
    private static final Logger LOG = LoggerFactory.getLogger(SavedModelWriter.class);

    /** A model input or output: its signature key, value and spec. */
    private record Port(String key, Tensor value) {}

    /** A variable the function reads: its Keras weight and the name TensorFlow shows. */
    private record Variable(Weight weight, String name) {}

    private final Model model;
    private final TfFunction function = new TfFunction(FUNCTION);
    private final List<Variable> variableOrder = new ArrayList<>();
    private final Map<Weight, Tensor> reads = new IdentityHashMap<>();
    private final Map<Weight, String> owners = new IdentityHashMap<>();
    private final WriteShapes shapes = new WriteShapes();

    private SavedModelWriter(Model model) { this.model = model; }

    static void write(Model model, Path target, WriteOptions options) {
        if (!model.modelWeights().isEmpty()) {
            throw new UnsupportedModelException("model '" + model.name() + "' owns variables outside its layers; "
                    + "writing them to a SavedModel is not supported yet");
        }
        if (model.dialect() == Dialect.KERAS1) model = Dialects.convert(model, Dialect.KERAS2); // emitters read Keras 2 and 3 configs
        SavedModelWriter w = new SavedModelWriter(model);
        w.indexOwners(model, "");
        List<Port> inputs = w.inputs();
        List<Tensor> outs = new ModelEmitter(new LayerEmitter(w.function, w::read, CustomGraphLayers.discover()), w.shapes).emit(model, inputs.stream().map(Port::value).toList());
        List<Port> outputs = w.outputs(outs);
        Optional<KerasObjectLayout> layout = kerasLayout(model, target, options, w.shapes);
        SavedObjects objects = layout.map(KerasObjectLayout::objects).orElseGet(w::servingOnlyObjects);
        List<Integer> bound = new ArrayList<>();
        for (int i = 0; i < w.variableOrder.size(); i++) {
            bound.add(layout.isPresent() ? layout.get().variableNode(w.variableOrder.get(i).weight()) : SERVING_ONLY_FIRST_VARIABLE + i);
        }
        objects.servingSignature(FUNCTION, inputs.stream().map(p -> new SavedObjects.Spec(p.key(), p.value())).toList(),
                outputs.stream().map(p -> new SavedObjects.Spec(p.key(), p.value())).toList(), bound);
        SavedModel saved = w.savedModel(objects, inputs, outputs);
        SavedObjects graph = objects;
        Optional<SavedMetadata> metadataFile = layout.map(KerasObjectLayout::metadata);
        DirectoryWrite.replace(target, OutputFiles.overwrite(options), tmp -> {
            Files.createDirectories(tmp.resolve(SavedModelDir.VARIABLES));
            Files.createDirectories(tmp.resolve(SavedModelDir.ASSETS));
            try (OutputStream out = Files.newOutputStream(tmp.resolve(SavedModelDir.SAVED_MODEL_PB))) {
                writeDeterministic(saved, out);
            }
            if (metadataFile.isPresent()) {
                try (OutputStream out = Files.newOutputStream(tmp.resolve(SavedModelDir.KERAS_METADATA_PB))) {
                    writeDeterministic(metadataFile.get(), out);
                }
            }
            writeVariables(graph, tmp.resolve(SavedModelDir.VARIABLES_PREFIX));
        });
    }

    /**
     * Map fields (a node's attrs) in sorted key order: they are filled from {@code Map.of}, whose iteration order
     * changes from one JVM run to the next, and the same model must give the same bytes.
     */
    private static void writeDeterministic(com.google.protobuf.MessageLite message, OutputStream out) throws IOException {
        com.google.protobuf.CodedOutputStream coded = com.google.protobuf.CodedOutputStream.newInstance(out);
        coded.useDeterministicSerialization();
        message.writeTo(coded);
        coded.flush();
    }

    /** {@code auto}: the tf.keras structure when the model has one; {@code true}: it or an error; {@code false}: none. */
    private static Optional<KerasObjectLayout> kerasLayout(Model model, Path target, WriteOptions options, WriteShapes shapes) {
        String mode = options.property(SavedModelExporter.KERAS_OBJECTS).orElse("auto");
        switch (mode) {
            case "false":
                return Optional.empty();
            case "true":
                return Optional.of(KerasObjectLayout.of(model, options.allowSemanticChange(), shapes));
            case "auto":
                try {
                    return Optional.of(KerasObjectLayout.of(model, options.allowSemanticChange(), shapes));
                } catch (UnsupportedModelException e) {
                    LOG.warn("SavedModel {}: model '{}' has no tf.keras object structure ({}); writing it for serving only, "
                            + "without keras_metadata.pb, so tf_keras.models.load_model cannot restore it", target, model.name(), e.getMessage());
                    return Optional.empty();
                }
            default:
                throw new InvalidOptionException(SavedModelExporter.CODEC, SavedModelExporter.KERAS_OBJECTS, mode, "auto, true or false");
        }
    }

    /** The object graph of a {@code tf.Module} holding the variables the function reads: root → {@code variables} list. */
    private SavedObjects servingOnlyObjects() {
        SavedObjects objects = new SavedObjects("_generic_user_object");
        int list = objects.userObject("trackable_list_wrapper");
        objects.child(0, "variables", list);
        for (int i = 0; i < variableOrder.size(); i++) {
            int node = objects.variable(variableOrder.get(i).weight(), variableOrder.get(i).name());
            if (node != SERVING_ONLY_FIRST_VARIABLE + i) throw new IllegalStateException("unexpected node " + node);
            objects.child(list, Integer.toString(i), node);
        }
        return objects;
    }

    /** The layer path of every weight ({@code inner/dense}), for the variable names TensorFlow reports. */
    private void indexOwners(Model m, String prefix) {
        for (Layer layer : m.layers()) {
            if (layer.nestedModel().isPresent()) indexOwners(layer.nestedModel().get(), prefix + layer.name() + "/");
            for (Weight w : layer.weights()) owners.putIfAbsent(w, prefix + layer.name() + "/" + w.shortName());
        }
    }

    /** Signature inputs in key order: TensorFlow flattens the signature's keyword arguments sorted by key. */
    private List<Port> inputs() {
        List<long[]> inputShapes = this.shapes.of(model).inputShapes();
        List<String> names = inputNames();
        Map<String, Integer> byKey = new TreeMap<>();
        for (int i = 0; i < names.size(); i++) byKey.put(names.get(i), i);
        Port[] ports = new Port[names.size()];
        for (Map.Entry<String, Integer> e : byKey.entrySet()) {
            int i = e.getValue();
            ports[i] = new Port(e.getKey(), function.input(e.getKey(), inputType(i), inputShapes.get(i)));
        }
        return List.of(ports);
    }

    private List<String> inputNames() {
        if (!model.inputs().isEmpty()) return model.inputs().stream().map(r -> r.layer()).toList();
        Layer first = model.layers().get(0);
        return List.of(first.className().equals("InputLayer") ? first.name() : first.name() + "_input");
    }

    private DataType inputType(int i) {
        String name = inputNames().get(i);
        DType dtype = model.layer(name).flatMap(Layer::dtype).flatMap(DType::fromKerasName).orElse(DType.FLOAT32);
        if (dtype != DType.FLOAT32 && dtype != DType.INT32 && dtype != DType.INT64) {
            throw new UnsupportedModelException("input '" + name + "' has dtype " + dtype + "; SavedModel writing supports float32 and int32/int64 inputs");
        }
        return DataType.forNumber(TfDataTypes.toCode(dtype));
    }

    /** Keyed by the output layers' names as tf.keras does, or {@code output_N} when names repeat. */
    private List<Port> outputs(List<Tensor> values) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String key = i < model.outputs().size() ? model.outputs().get(i).layer() : model.layers().get(model.layers().size() - 1).name();
            keys.add(key);
        }
        if (keys.stream().distinct().count() != keys.size()) {
            keys.clear();
            for (int i = 0; i < values.size(); i++) keys.add("output_" + i);
        }
        List<Port> ports = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) ports.add(new Port(keys.get(i), values.get(i)));
        ports.sort(Comparator.comparing(Port::key));
        for (Port p : ports) function.output(p.key(), p.value());
        return ports;
    }

    /** Reads a weight's variable once per function; the first read adds its resource argument. */
    private Tensor read(Weight w) {
        return reads.computeIfAbsent(w, k -> {
            if (k.value().dtype() != DType.FLOAT32) {
                throw new UnsupportedModelException("weight '" + k.name() + "' is " + k.value().dtype()
                        + "; SavedModel writing supports float32 weights");
            }
            String name = owners.getOrDefault(k, k.name());
            String arg = function.resourceInput(name, DataType.DT_FLOAT, k.value().shape());
            Variable v = new Variable(k, name);
            variableOrder.add(v);
            return function.op("ReadVariableOp", name + "/ReadVariableOp", k.value().shape(), List.of(arg),
                    Map.of("dtype", TfFunction.type(DataType.DT_FLOAT)));
        });
    }

    private SavedModel savedModel(SavedObjects objects, List<Port> inputs, List<Port> outputs) {
        GraphDef.Builder graph = GraphDef.newBuilder()
                .setVersions(VersionDef.newBuilder().setProducer(GRAPH_PRODUCER).setMinConsumer(GRAPH_MIN_CONSUMER))
                .setLibrary(FunctionDefLibrary.newBuilder().addAllFunction(function.library()));
        NodeDef.Builder call = NodeDef.newBuilder().setName("StatefulPartitionedCall").setOp("StatefulPartitionedCall");
        AttrValue.ListValue.Builder tin = AttrValue.ListValue.newBuilder();
        SignatureDef.Builder signature = SignatureDef.newBuilder().setMethodName("tensorflow/serving/predict");
        for (Port in : inputs) {
            String placeholder = "serving_default_" + TfFunction.argName(in.key());
            graph.addNode(NodeDef.newBuilder().setName(placeholder).setOp("Placeholder")
                    .putAttr("dtype", TfFunction.type(in.value().dtype()))
                    .putAttr("shape", AttrValue.newBuilder().setShape(TfFunction.shape(in.value().shape())).build()));
            call.addInput(placeholder);
            tin.addType(in.value().dtype());
            signature.putInputs(in.key(), tensorInfo(placeholder + ":0", in.value()));
        }
        List<SavedObjects.CheckpointEntry> entries = objects.checkpointEntries();
        Map<Weight, String> handles = variableHandles(graph, entries);
        for (Variable v : variableOrder) {
            call.addInput(handles.get(v.weight()));
            tin.addType(DataType.DT_RESOURCE);
        }
        AttrValue.ListValue.Builder tout = AttrValue.ListValue.newBuilder();
        for (int i = 0; i < outputs.size(); i++) {
            tout.addType(outputs.get(i).value().dtype());
            signature.putOutputs(outputs.get(i).key(), tensorInfo("StatefulPartitionedCall:" + i, outputs.get(i).value()));
        }
        call.putAttr("f", AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName(FUNCTION)).build())
                .putAttr("Tin", AttrValue.newBuilder().setList(tin).build())
                .putAttr("Tout", AttrValue.newBuilder().setList(tout).build())
                .putAttr("config", TfFunction.str("")).putAttr("config_proto", TfFunction.str(""))
                .putAttr("executor_type", TfFunction.str(""));
        graph.addNode(call);
        // TF1 loaders (saved_model_cli, TensorFlow Serving) restore the variables through the saver, not the object graph.
        List<SaverGraph.SavedVariable> saved = entries.stream().map(e -> new SaverGraph.SavedVariable(
                handles.get(e.weight()), e.key(), dataType(e.weight()), e.weight().value().shape())).toList();
        SaverDef saver = SaverGraph.addTo(graph, saved, objects.trackableObjectGraph());
        MetaGraphDef meta = MetaGraphDef.newBuilder()
                .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve"))
                .setSaverDef(saver)
                .setGraphDef(graph).putSignatureDef(SIGNATURE, signature.build())
                .setObjectGraphDef(objects.savedObjectGraph())
                .build();
        return SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(meta).build();
    }

    /**
     * A VarHandleOp for every variable of the object graph, in checkpoint order: the serving function reads some of
     * them, the saver restores them all.
     */
    private Map<Weight, String> variableHandles(GraphDef.Builder graph, List<SavedObjects.CheckpointEntry> entries) {
        Map<Weight, String> handles = new IdentityHashMap<>();
        for (SavedObjects.CheckpointEntry e : entries) {
            handles.computeIfAbsent(e.weight(), w -> {
                String handle = "variable_" + handles.size();
                graph.addNode(NodeDef.newBuilder().setName(handle).setOp("VarHandleOp")
                        .putAttr("dtype", TfFunction.type(dataType(w)))
                        .putAttr("shape", AttrValue.newBuilder().setShape(TfFunction.shape(w.value().shape())).build())
                        .putAttr("shared_name", TfFunction.str(handle)).putAttr("container", TfFunction.str(""))
                        .putAttr("debug_name", TfFunction.str(owners.getOrDefault(w, w.name()) + "/")));
                return handle;
            });
        }
        return handles;
    }

    private static DataType dataType(Weight w) { return DataType.forNumber(TfDataTypes.toCode(w.value().dtype())); }

    private static void writeVariables(SavedObjects objects, Path prefix) {
        try (BundleWriter bundle = BundleWriter.create(prefix)) {
            for (SavedObjects.CheckpointEntry e : objects.checkpointEntries()) bundle.add(e.key(), e.weight().value());
            bundle.addObjectGraph(objects.trackableObjectGraph());
            bundle.finish();
        }
    }

    private static TensorInfo tensorInfo(String name, Tensor t) {
        return TensorInfo.newBuilder().setName(name).setDtype(t.dtype()).setTensorShape(TfFunction.shape(t.shape())).build();
    }
}
