package io.keras4j.export.tf;

import com.google.protobuf.ByteString;
import io.keras4j.tf.proto.AttrValue;
import io.keras4j.tf.proto.DataType;
import io.keras4j.tf.proto.FunctionDef;
import io.keras4j.tf.proto.NodeDef;
import io.keras4j.tf.proto.OpDef;
import io.keras4j.tf.proto.ResourceHandleProto;
import io.keras4j.tf.proto.TensorProto;
import io.keras4j.tf.proto.TensorShapeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds one TensorFlow FunctionDef: typed arguments, nodes added op by op, named results. Inside a function a
 * node's output is referenced as {@code node:output_arg:index} (the op's own output argument name, e.g.
 * {@code MatMul:product:0}) and an argument by its bare name, which is what {@link Tensor#ref} holds.
 *
 * <p>A function can create nested functions (the condition and body of a while loop), which share its library:
 * {@link #library()} builds them all.
 */
final class TfFunction {
    /** A value inside the function: how nodes reference it and its static shape (-1 = unknown). */
    record Tensor(String ref, long[] shape, DataType dtype) {
        Tensor(String ref, long[] shape) { this(ref, shape, DataType.DT_FLOAT); }

        Tensor withShape(long[] newShape) { return new Tensor(ref, newShape, dtype); }

        int rank() { return shape.length; }

        long dim(int axis) { return shape[axis < 0 ? shape.length + axis : axis]; }
    }

    /** The output argument name of each op this writer emits (from TensorFlow's op registry). */
    private static final Map<String, String> OUTPUT_ARG = Map.ofEntries(
            Map.entry("ReadVariableOp", "value"), Map.entry("Const", "output"), Map.entry("Identity", "output"),
            Map.entry("MatMul", "product"), Map.entry("BatchMatMulV2", "output"), Map.entry("BiasAdd", "output"),
            Map.entry("AddV2", "z"), Map.entry("Sub", "z"), Map.entry("Mul", "z"), Map.entry("RealDiv", "z"),
            Map.entry("Maximum", "z"), Map.entry("Minimum", "z"), Map.entry("SquaredDifference", "z"),
            Map.entry("Equal", "z"), Map.entry("NotEqual", "z"), Map.entry("Greater", "z"), Map.entry("GreaterEqual", "z"),
            Map.entry("Less", "z"), Map.entry("LessEqual", "z"), Map.entry("LogicalAnd", "z"), Map.entry("LogicalOr", "z"),
            Map.entry("LogicalNot", "y"), Map.entry("Neg", "y"), Map.entry("Abs", "y"), Map.entry("Sqrt", "y"),
            Map.entry("Square", "y"), Map.entry("Log", "y"), Map.entry("Expm1", "y"),
            Map.entry("Relu", "activations"), Map.entry("Relu6", "activations"),
            Map.entry("Elu", "activations"), Map.entry("Selu", "activations"), Map.entry("Softplus", "activations"),
            Map.entry("Softsign", "activations"), Map.entry("LeakyRelu", "activations"), Map.entry("Sigmoid", "y"),
            Map.entry("Tanh", "y"), Map.entry("Exp", "y"), Map.entry("Erf", "y"), Map.entry("Rsqrt", "y"),
            Map.entry("Softmax", "softmax"), Map.entry("Conv2D", "output"), Map.entry("DepthwiseConv2dNative", "output"),
            Map.entry("MaxPool", "output"), Map.entry("AvgPool", "output"), Map.entry("Reshape", "output"),
            Map.entry("Mean", "output"), Map.entry("Max", "output"), Map.entry("Sum", "output"), Map.entry("Any", "output"),
            Map.entry("All", "output"), Map.entry("ConcatV2", "output"),
            Map.entry("GatherV2", "output"), Map.entry("Cast", "y"), Map.entry("ExpandDims", "output"),
            Map.entry("Squeeze", "output"), Map.entry("Pad", "output"), Map.entry("AddN", "sum"),
            Map.entry("Transpose", "y"), Map.entry("Shape", "output"), Map.entry("StridedSlice", "output"),
            Map.entry("Fill", "output"), Map.entry("Select", "output"), Map.entry("SelectV2", "output"), Map.entry("Pack", "output"),
            Map.entry("Unpack", "output"), Map.entry("Split", "output"), Map.entry("ReverseV2", "output"),
            Map.entry("Tile", "output"), Map.entry("Conv3D", "output"), Map.entry("MaxPool3D", "output"),
            Map.entry("AvgPool3D", "output"), Map.entry("Conv2DBackpropInput", "output"),
            Map.entry("Einsum", "output"), Map.entry("Min", "output"), Map.entry("Pow", "z"),
            Map.entry("LogSoftmax", "logsoftmax"), Map.entry("SpaceToBatchND", "output"), Map.entry("BatchToSpaceND", "output"),
            Map.entry("StatelessWhile", "output"), Map.entry("TensorListReserve", "handle"),
            Map.entry("TensorListSetItem", "output_handle"), Map.entry("TensorListStack", "tensor"));

    /** The functions of one FunctionDefLibrary, in creation order, and the names they took. */
    private static final class Library {
        final List<TfFunction> functions = new ArrayList<>();
        final Set<String> names = new HashSet<>();
    }

    private final String name;
    private final Library library;
    /** The serving function reads variables; nested functions compute on their arguments only. */
    private final boolean stateful;
    private final List<OpDef.ArgDef> inputArgs = new ArrayList<>();
    private final Map<Integer, String> userNames = new LinkedHashMap<>();
    private final List<NodeDef> nodes = new ArrayList<>();
    private final Set<String> usedNames = new HashSet<>();
    private final Map<String, String> results = new LinkedHashMap<>();
    private final List<OpDef.ArgDef> outputArgs = new ArrayList<>();

    TfFunction(String name) { this(name, new Library(), true); }

    private TfFunction(String name, Library library, boolean stateful) {
        this.name = name;
        this.library = library;
        this.stateful = stateful;
        library.names.add(name);
        library.functions.add(this);
    }

    String name() { return name; }

    /** A new stateless function in this function's library, named {@code baseName} made unique there. */
    TfFunction nested(String baseName) {
        String base = baseName.replaceAll("[^A-Za-z0-9_]", "_");
        String unique = base;
        for (int i = 1; library.names.contains(unique); i++) unique = base + "_" + i;
        return new TfFunction(unique, library, false);
    }

    /** Every function of the library, this one and those nested in it, built. */
    List<FunctionDef> library() { return library.functions.stream().map(TfFunction::build).toList(); }

    /** A float/int input of the caller; {@code userName} is kept as TensorFlow's {@code _user_specified_name}. */
    Tensor input(String userName, DataType dtype, long[] shape) {
        String arg = unique(argName(userName));
        userNames.put(inputArgs.size(), userName);
        inputArgs.add(OpDef.ArgDef.newBuilder().setName(arg).setType(dtype).build());
        return new Tensor(arg, shape, dtype);
    }

    /** A variable handle argument (DT_RESOURCE) carrying the variable's dtype and shape. */
    String resourceInput(String userName, DataType dtype, long[] shape) {
        String arg = unique(argName(userName));
        userNames.put(inputArgs.size(), userName);
        inputArgs.add(OpDef.ArgDef.newBuilder().setName(arg).setType(DataType.DT_RESOURCE)
                .addHandleData(ResourceHandleProto.DtypeAndShape.newBuilder().setDtype(dtype).setShape(shape(shape))).build());
        return arg;
    }

    /** Adds a node and returns its first output. */
    Tensor op(String op, String nodeName, long[] outShape, List<String> inputs, Map<String, AttrValue> attrs) {
        return op(op, nodeName, outShape, inputs, attrs, DataType.DT_FLOAT);
    }

    Tensor op(String op, String nodeName, long[] outShape, List<String> inputs, Map<String, AttrValue> attrs, DataType outType) {
        String arg = OUTPUT_ARG.get(op);
        if (arg == null) throw new IllegalArgumentException("no output name known for op " + op);
        return op(op, arg, nodeName, outShape, inputs, attrs, outType);
    }

    /** Adds a node whose first output argument is {@code outputArg} (for ops outside {@link #OUTPUT_ARG}). */
    Tensor op(String op, String outputArg, String nodeName, long[] outShape, List<String> inputs, Map<String, AttrValue> attrs,
              DataType outType) {
        String unique = unique(nodeName(nodeName));
        nodes.add(NodeDef.newBuilder().setName(unique).setOp(op).addAllInput(inputs).putAllAttr(attrs).build());
        return new Tensor(unique + ":" + outputArg + ":0", outShape, outType);
    }

    /**
     * Adds a node with one output per shape, referenced {@code node:arg:i} (ops whose output argument is a list:
     * Split, Unpack).
     */
    List<Tensor> ops(String op, String nodeName, List<long[]> outShapes, List<String> inputs, Map<String, AttrValue> attrs,
                     DataType outType) {
        return ops(op, nodeName, outShapes, Collections.nCopies(outShapes.size(), outType), inputs, attrs);
    }

    /** Adds a node whose list output has one dtype per element (StatelessWhile's loop variables). */
    List<Tensor> ops(String op, String nodeName, List<long[]> outShapes, List<DataType> outTypes, List<String> inputs,
                     Map<String, AttrValue> attrs) {
        DataType firstType = outTypes.isEmpty() ? DataType.DT_FLOAT : outTypes.get(0);
        Tensor first = op(op, nodeName, outShapes.isEmpty() ? new long[0] : outShapes.get(0), inputs, attrs, firstType);
        String prefix = first.ref().substring(0, first.ref().length() - 1);
        List<Tensor> outs = new ArrayList<>();
        for (int i = 0; i < outShapes.size(); i++) outs.add(new Tensor(prefix + i, outShapes.get(i), outTypes.get(i)));
        return outs;
    }

    Tensor constInt32(String nodeName, int... values) { return constInt32(nodeName, new long[] {values.length}, values); }

    /** An int32 constant of the given shape, values in row-major order. */
    Tensor constInt32(String nodeName, long[] shape, int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) b.putInt(v);
        return constant(nodeName, DataType.DT_INT32, shape, b.flip());
    }

    /** A float32 constant of the given shape, values in row-major order. */
    Tensor constFloat(String nodeName, long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return constant(nodeName, DataType.DT_FLOAT, shape, b.flip());
    }

    /** A constant of any numeric dtype from its little-endian bytes in row-major order. */
    Tensor constant(String nodeName, DataType dtype, long[] shape, ByteBuffer littleEndian) {
        TensorProto t = TensorProto.newBuilder().setDtype(dtype).setTensorShape(shape(shape))
                .setTensorContent(ByteString.copyFrom(littleEndian)).build();
        return op("Const", nodeName, shape, List.of(),
                Map.of("dtype", type(dtype), "value", AttrValue.newBuilder().setTensor(t).build()), dtype);
    }

    /** A DT_BOOL constant of the given shape, values in row-major order. */
    Tensor constBool(String nodeName, long[] shape, boolean... values) {
        TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_BOOL).setTensorShape(shape(shape));
        for (boolean v : values) t.addBoolVal(v);
        return op("Const", nodeName, shape, List.of(),
                Map.of("dtype", type(DataType.DT_BOOL), "value", AttrValue.newBuilder().setTensor(t).build()), DataType.DT_BOOL);
    }

    Tensor scalarInt32(String nodeName, int value) { return scalar(nodeName, DataType.DT_INT32, value); }

    Tensor scalarFloat(String nodeName, float value) { return scalar(nodeName, DataType.DT_FLOAT, value); }

    /** A scalar constant of a float, int32, int64 or bool dtype (bool: {@code value != 0}). */
    Tensor scalar(String nodeName, DataType dtype, double value) {
        TensorProto.Builder t = TensorProto.newBuilder().setDtype(dtype).setTensorShape(TensorShapeProto.getDefaultInstance());
        switch (dtype) {
            case DT_FLOAT: t.addFloatVal((float) value); break;
            case DT_DOUBLE: t.addDoubleVal(value); break;
            case DT_INT32: t.addIntVal((int) value); break;
            case DT_INT64: t.addInt64Val((long) value); break;
            case DT_BOOL: t.addBoolVal(value != 0); break;
            default: throw new IllegalArgumentException("no scalar constant of " + dtype);
        }
        return op("Const", nodeName, new long[0], List.of(),
                Map.of("dtype", type(dtype), "value", AttrValue.newBuilder().setTensor(t).build()), dtype);
    }

    /** Declares a result; results are returned in declaration order. */
    void output(String argName, Tensor value) {
        String arg = unique(argName(argName));
        Tensor id = op("Identity", "Identity", value.shape(), List.of(value.ref()), Map.of("T", type(value.dtype())), value.dtype());
        results.put(arg, id.ref());
        outputArgs.add(OpDef.ArgDef.newBuilder().setName(arg).setType(value.dtype()).build());
    }

    private FunctionDef build() {
        OpDef signature = OpDef.newBuilder().setName(name).addAllInputArg(inputArgs).addAllOutputArg(outputArgs)
                .setIsStateful(stateful).build();
        FunctionDef.Builder f = FunctionDef.newBuilder().setSignature(signature).addAllNodeDef(nodes).putAllRet(results);
        userNames.forEach((i, n) -> f.putArgAttr(i, FunctionDef.ArgAttrs.newBuilder()
                .putAttr("_user_specified_name", AttrValue.newBuilder().setS(ByteString.copyFromUtf8(n)).build()).build()));
        return f.build();
    }

    static AttrValue type(DataType t) { return AttrValue.newBuilder().setType(t).build(); }

    static AttrValue str(String s) { return AttrValue.newBuilder().setS(ByteString.copyFromUtf8(s)).build(); }

    static AttrValue ints(long... values) {
        AttrValue.ListValue.Builder l = AttrValue.ListValue.newBuilder();
        for (long v : values) l.addI(v);
        return AttrValue.newBuilder().setList(l).build();
    }

    static AttrValue flt(float f) { return AttrValue.newBuilder().setF(f).build(); }

    static AttrValue bool(boolean b) { return AttrValue.newBuilder().setB(b).build(); }

    static TensorShapeProto shape(long[] dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        return s.build();
    }

    /** TensorFlow wants argument names matching {@code [a-z][a-z0-9_]*}. */
    static String argName(String name) {
        String s = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return s.isEmpty() || !Character.isLetter(s.charAt(0)) ? "arg_" + s : s;
    }

    /** Node names: {@code [A-Za-z0-9.][A-Za-z0-9_.\-/]*}. */
    private static String nodeName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_.\\-/]", "_");
        return s.isEmpty() || s.charAt(0) == '_' || s.charAt(0) == '-' || s.charAt(0) == '/' ? "n" + s : s;
    }

    private String unique(String base) {
        String n = base;
        for (int i = 1; !usedNames.add(n); i++) n = base + "_" + i;
        return n;
    }
}
