package io.keras4j.tfgraph;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keras4j.CorruptModelException;
import io.keras4j.Keras4jException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.format.checkpoint.bundle.TensorBundle;
import io.keras4j.tensor.Tensor;
import io.keras4j.tf.proto.MetaGraphDef;
import io.keras4j.tf.proto.NodeDef;
import io.keras4j.tf.proto.SavedModel;
import io.keras4j.tf.proto.SignatureDef;
import io.keras4j.tf.proto.TensorInfo;
import io.keras4j.tf.proto.TensorShapeProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A SavedModel run by interpreting its TensorFlow graph in pure Java: the way to predict with a Keras 3
 * {@code model.export()} (which carries no Keras configuration) or with a tf.keras SavedModel whose custom layers have
 * no Java implementation. Loading compiles every signature (an op the interpreter lacks is refused here, naming op
 * and node) and restores the variables by running the graph's own restore function over {@code variables/}.
 * Immutable after load and safe to call from several threads.
 *
 * <pre>{@code
 * GraphModel m = GraphModel.load(Path.of("exported"));
 * Map<String, Tensor> out = m.run("serving_default", Map.of("keras_tensor", input));
 * }</pre>
 */
public final class GraphModel {
    public static final String DEFAULT_SIGNATURE = "serving_default";
    private static final String CODEC = "tf-graph";
    private static final int RECURSION_LIMIT = 1000;

    private record Compiled(GraphSignature signature, Plan plan, List<String> inputNames, List<Integer> inputTypes) {}

    private final Path dir;
    private final Exec exec;
    private final Library library;
    private final Map<String, Compiled> signatures;

    private GraphModel(Path dir, Exec exec, Library library, Map<String, Compiled> signatures) {
        this.dir = dir;
        this.exec = exec;
        this.library = library;
        this.signatures = signatures;
    }

    /** Whether {@code dir} looks like a SavedModel directory. */
    public static boolean isSavedModel(Path dir) { return Files.isRegularFile(dir.resolve("saved_model.pb")); }

    /** Loads the {@code serve} MetaGraph of the SavedModel in {@code dir}. */
    public static GraphModel load(Path dir) {
        Path pb = dir.resolve("saved_model.pb");
        if (!Files.isRegularFile(pb)) throw CorruptModelException.in(dir).codec(CODEC).because("no saved_model.pb in " + dir);
        MetaGraphDef meta = serveGraph(parse(pb), pb);
        Library library = new Library(meta.getGraphDef().getLibrary(), OpTable.standard(), dir.toString());
        Exec exec = new Exec(library);
        library.bind(exec);
        List<NodeDef> nodes = meta.getGraphDef().getNodeList();
        try {
            restore(dir, meta, nodes, library, exec);
            Map<String, Compiled> sigs = new TreeMap<>();
            for (Map.Entry<String, SignatureDef> e : meta.getSignatureDefMap().entrySet()) {
                if (e.getKey().startsWith("__")) continue;
                sigs.put(e.getKey(), compileSignature(e.getKey(), e.getValue(), nodes, library, exec, pb));
            }
            if (sigs.isEmpty()) throw new UnsupportedModelException("SavedModel " + dir + " has no signature to run");
            return new GraphModel(dir, exec, library, Map.copyOf(sigs));
        } catch (Keras4jException e) {
            if (e.file().isPresent()) throw e;
            throw new UnsupportedModelException(e.getMessage(), CODEC, dir, null, e);
        }
    }

    public Path dir() { return dir; }

    public Set<String> signatureNames() { return new TreeSet<>(signatures.keySet()); }

    public GraphSignature signature(String name) { return compiled(name).signature(); }

    /** The TensorFlow op types this model's signatures and restore function use (its demands on the interpreter). */
    public Set<String> opsUsed() { return Set.copyOf(library.opsUsed()); }

    /** Every op type the interpreter has a kernel for. */
    public static Set<String> supportedOps() { return OpTable.standard().names(); }

    /** Runs signature {@code name} on inputs given by their signature names; outputs by name. */
    public Map<String, Tensor> run(String name, Map<String, Tensor> inputs) {
        Compiled c = compiled(name);
        List<GraphSignature.Spec> specs = c.signature().inputs();
        for (String given : inputs.keySet()) {
            if (specs.stream().noneMatch(s -> s.name().equals(given))) {
                throw new IllegalArgumentException("signature '" + name + "' of " + dir + " has no input '" + given
                        + "'; its inputs: " + specs);
            }
        }
        Val[] args = new Val[specs.size()];
        for (int k = 0; k < args.length; k++) {
            GraphSignature.Spec spec = specs.get(k);
            Tensor t = inputs.get(spec.name());
            if (t == null) throw new IllegalArgumentException("signature '" + name + "' of " + dir + " needs input '" + spec.name() + "' " + spec);
            args[k] = input(t, spec, c.inputTypes().get(k), name);
        }
        Val[] out;
        try {
            out = c.plan().run(args, exec);
        } catch (Keras4jException e) {
            throw new Keras4jException("signature '" + name + "' of " + dir + ": " + e.getMessage(), e);
        }
        Map<String, Tensor> result = new LinkedHashMap<>();
        List<GraphSignature.Spec> outs = c.signature().outputs();
        for (int k = 0; k < outs.size(); k++) result.put(outs.get(k).name(), Vals.toTensor(out[k]));
        return result;
    }

    /** Runs {@code serving_default} with inputs in the order of its (sorted) input names; outputs likewise. */
    public List<Tensor> predict(List<Tensor> inputs) {
        String name = signatures.containsKey(DEFAULT_SIGNATURE) ? DEFAULT_SIGNATURE : signatures.keySet().iterator().next();
        GraphSignature sig = signature(name);
        if (inputs.size() != sig.inputs().size()) {
            throw new IllegalArgumentException("signature '" + name + "' of " + dir + " takes " + sig.inputs().size()
                    + " inputs " + sig.inputs() + ", " + inputs.size() + " given");
        }
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (int k = 0; k < inputs.size(); k++) named.put(sig.inputs().get(k).name(), inputs.get(k));
        return new ArrayList<>(run(name, named).values());
    }

    private Compiled compiled(String name) {
        Compiled c = signatures.get(name);
        if (c == null) {
            throw new IllegalArgumentException("SavedModel " + dir + " has no signature '" + name + "'; it has " + signatureNames());
        }
        return c;
    }

    private static Val input(Tensor t, GraphSignature.Spec spec, int tfType, String sig) {
        long[] want = spec.shape();
        if (want != null) {
            long[] got = t.shape();
            boolean ok = got.length == want.length;
            for (int k = 0; ok && k < want.length; k++) ok = want[k] < 0 || want[k] == got[k];
            if (!ok) {
                throw new IllegalArgumentException("input '" + spec.name() + "' of signature '" + sig + "' must have shape "
                        + Arrays.toString(want) + " (-1: any size), got " + Arrays.toString(got));
            }
        }
        Val v = Vals.fromTensor(t);
        if (v.dtype == tfType) return v;
        if (DTypes.isNumeric(v.dtype) && DTypes.isNumeric(tfType)) return DTypes.cast(v, tfType);
        throw new IllegalArgumentException("input '" + spec.name() + "' of signature '" + sig + "' must be "
                + DTypes.name(tfType) + ", got " + t.dtype().kerasName());
    }

    // ---- loading ---------------------------------------------------------------------------------------------------

    private static SavedModel parse(Path pb) {
        CodedInputStream coded = null;
        try {
            long size = Files.size(pb);
            if (size > Integer.MAX_VALUE) throw CorruptModelException.in(pb).codec(CODEC).because(size + " bytes exceeds the 2 GiB limit of one protocol buffer");
            try (InputStream in = Files.newInputStream(pb)) {
                coded = CodedInputStream.newInstance(in);
                coded.setSizeLimit(Integer.MAX_VALUE);
                coded.setRecursionLimit(RECURSION_LIMIT);
                SavedModel m = SavedModel.parseFrom(coded);
                coded.checkLastTagWas(0);
                return m;
            }
        } catch (InvalidProtocolBufferException | IndexOutOfBoundsException | IllegalArgumentException | NegativeArraySizeException e) {
            long offset = coded == null ? -1 : coded.getTotalBytesRead();
            throw CorruptModelException.in(pb).codec(CODEC).offset(offset).cause(e)
                    .because("not a valid saved_model.pb (near byte " + offset + "): " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pb, e);
        }
    }

    private static MetaGraphDef serveGraph(SavedModel m, Path pb) {
        if (m.getMetaGraphsCount() == 0) throw CorruptModelException.in(pb).codec(CODEC).at("meta_graphs").because("the SavedModel holds no MetaGraph");
        return m.getMetaGraphsList().stream().filter(g -> g.getMetaInfoDef().getTagsList().contains("serve")).findFirst()
                .orElse(m.getMetaGraphs(0));
    }

    /** Runs the graph's restore op with the checkpoint prefix fed, then its init op (lookup tables), if any. */
    private static void restore(Path dir, MetaGraphDef meta, List<NodeDef> nodes, Library library, Exec exec) {
        Path prefix = dir.resolve("variables").resolve("variables");
        String restoreOp = meta.getSaverDef().getRestoreOpName();
        boolean hasVariables = Files.isRegularFile(TensorBundle.indexFile(prefix));
        if (!restoreOp.isEmpty() && hasVariables) {
            String feed = nodeName(meta.getSaverDef().getFilenameTensorName());
            Plan plan = Plan.compile("the restore function", nodes, List.of(feed), List.of(), List.of(nodeName(restoreOp)), false, library, exec);
            Val path = new Val(DTypes.STRING, new int[0], new byte[][] {prefix.toString().getBytes(StandardCharsets.UTF_8)});
            plan.run(new Val[] {path}, exec);
        } else if (!restoreOp.isEmpty() && meta.getObjectGraphDef().getNodesList().stream().anyMatch(n -> n.hasVariable())) {
            throw CorruptModelException.in(dir.resolve("variables")).codec(CODEC).because("the SavedModel has variables but "
                    + "variables/variables.index is missing; copy the whole SavedModel directory, variables/ included");
        }
        SignatureDef init = meta.getSignatureDefMap().get("__saved_model_init_op");
        if (init != null) {
            for (TensorInfo t : init.getOutputsMap().values()) {
                Plan plan = Plan.compile("the init op", nodes, List.of(), List.of(), List.of(nodeName(t.getName())), false, library, exec);
                plan.run(new Val[0], exec);
            }
        }
    }

    private static Compiled compileSignature(String name, SignatureDef def, List<NodeDef> nodes, Library library, Exec exec, Path pb) {
        List<GraphSignature.Spec> inputs = new ArrayList<>();
        List<String> feeds = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (Map.Entry<String, TensorInfo> e : new TreeMap<>(def.getInputsMap()).entrySet()) {
            TensorInfo t = e.getValue();
            if (!t.hasName() && t.getName().isEmpty()) throw new UnsupportedModelException("signature '" + name + "' input '" + e.getKey() + "' is not a dense tensor");
            inputs.add(spec(e.getKey(), t));
            feeds.add(nodeName(t.getName()));
            types.add(t.getDtypeValue());
        }
        List<GraphSignature.Spec> outputs = new ArrayList<>();
        List<String> fetches = new ArrayList<>();
        for (Map.Entry<String, TensorInfo> e : new TreeMap<>(def.getOutputsMap()).entrySet()) {
            TensorInfo t = e.getValue();
            if (t.getName().isEmpty()) throw new UnsupportedModelException("signature '" + name + "' output '" + e.getKey() + "' is not a dense tensor");
            outputs.add(spec(e.getKey(), t));
            fetches.add(t.getName());
        }
        Plan plan = Plan.compile("signature '" + name + "'", nodes, feeds, fetches, List.of(), false, library, exec);
        return new Compiled(new GraphSignature(name, inputs, outputs), plan, feeds, types);
    }

    private static GraphSignature.Spec spec(String key, TensorInfo t) {
        TensorShapeProto s = t.getTensorShape();
        long[] shape = null;
        if (!s.getUnknownRank() && t.hasTensorShape()) {
            shape = new long[s.getDimCount()];
            for (int k = 0; k < shape.length; k++) shape[k] = s.getDim(k).getSize();
        }
        return new GraphSignature.Spec(key, Vals.apiType(t.getDtypeValue()), shape);
    }

    private static String nodeName(String tensor) {
        String n = tensor.startsWith("^") ? tensor.substring(1) : tensor;
        int colon = n.indexOf(':');
        return colon < 0 ? n : n.substring(0, colon);
    }

    @Override public String toString() { return "GraphModel[" + dir + ", signatures " + signatures.keySet() + "]"; }
}
