package io.keras4j.export.tf;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.format.checkpoint.bundle.BundleReader;
import io.keras4j.format.checkpoint.bundle.TensorBundle;
import io.keras4j.format.checkpoint.bundle.TrackableObjectGraph;
import io.keras4j.format.keras.KerasArchiveCodec;
import io.keras4j.format.savedmodel.SavedModelCodec;
import io.keras4j.format.savedmodel.SavedModelDir;
import io.keras4j.tf.proto.DataType;
import io.keras4j.tf.proto.FunctionDef;
import io.keras4j.tf.proto.MetaGraphDef;
import io.keras4j.tf.proto.NodeDef;
import io.keras4j.tf.proto.SavedModel;
import io.keras4j.tf.proto.SaverDef;
import io.keras4j.model.Model;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The saver of written SavedModels, checked against the {@code variables/} checkpoint written with it: TF1 loaders
 * ({@code tf.compat.v1.saved_model.loader}, {@code saved_model_cli}, TensorFlow Serving) restore every variable only
 * through it. That they do is {@code oracle/reverse_check.py}'s {@code tf1.saved_model.loader} (format-savedmodel
 * README, "Writing").
 */
class SaverGraphTest {
    private MetaGraphDef meta;
    private Map<String, NodeDef> nodes;
    private Map<String, FunctionDef> functions;
    private BundleReader checkpoint;

    @ParameterizedTest
    @ValueSource(strings = {"multi_io/k3", "nested/k2", "resnet/k3"})
    void saverDefNamesTheGraphsSaveAndRestoreCalls(String zooModel, @TempDir Path temp) throws IOException {
        write(zooModel, temp);
        SaverDef saver = meta.getSaverDef();
        assertThat(saver.getVersion()).isEqualTo(SaverDef.CheckpointFormatVersion.V2);
        NodeDef filename = node(saver.getFilenameTensorName());
        assertThat(filename.getOp()).isEqualTo("Placeholder");
        assertThat(filename.getAttrOrThrow("dtype").getType()).isEqualTo(DataType.DT_STRING);

        NodeDef save = node(saver.getSaveTensorName());
        NodeDef restore = nodes.get(saver.getRestoreOpName());
        for (NodeDef call : List.of(save, restore)) {
            assertThat(call.getOp()).isEqualTo("StatefulPartitionedCall");
            assertThat(call.getInput(0)).isEqualTo(filename.getName());
            assertThat(functions).containsKey(call.getAttrOrThrow("f").getFunc().getName());
            assertThat(call.getAttrOrThrow("Tout").getList().getTypeList()).containsExactly(DataType.DT_STRING);
        }
        assertThat(save.getInputList().subList(1, 1 + variableCount())).isEqualTo(restore.getInputList().subList(1, restore.getInputCount()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"multi_io/k3", "nested/k2", "resnet/k3"})
    void restoreAssignsEveryCheckpointedVariableToItsHandle(String zooModel, @TempDir Path temp) throws IOException {
        write(zooModel, temp);
        NodeDef call = nodes.get(meta.getSaverDef().getRestoreOpName());
        FunctionDef restore = functions.get(call.getAttrOrThrow("f").getFunc().getName());
        List<String> keys = stringConst(restore, "tensor_names");
        assertThat(keys).containsExactlyInAnyOrderElementsOf(checkpoint.keys()).endsWith(TrackableObjectGraph.KEY);

        List<NodeDef> assigns = restore.getNodeDefList().stream().filter(n -> n.getOp().equals("AssignVariableOp")).toList();
        assertThat(assigns).hasSize(variableCount()).hasSize(keys.size() - 1);
        for (int i = 0; i < assigns.size(); i++) {
            NodeDef assign = assigns.get(i);
            String resourceArg = restore.getSignature().getInputArg(i + 1).getName();
            assertThat(assign.getInputList()).containsExactly(resourceArg, "RestoreV2:tensors:" + i);
            NodeDef handle = nodes.get(call.getInput(i + 1));
            assertThat(handle.getOp()).as(keys.get(i)).isEqualTo("VarHandleOp");
            assertThat(handle.getAttrOrThrow("shape").getShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray())
                    .as(keys.get(i)).containsExactly(checkpoint.entry(keys.get(i)).shape());
        }
        assertThat(restore.getControlRetMap()).hasSize(assigns.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"multi_io/k3", "nested/k2", "resnet/k3"})
    void saveWritesTheSameKeysAndObjectGraphAsTheCheckpoint(String zooModel, @TempDir Path temp) throws IOException {
        write(zooModel, temp);
        NodeDef call = node(meta.getSaverDef().getSaveTensorName());
        FunctionDef save = functions.get(call.getAttrOrThrow("f").getFunc().getName());
        assertThat(stringConst(save, "tensor_names")).containsExactlyInAnyOrderElementsOf(checkpoint.keys());
        NodeDef objectGraph = nodes.get(call.getInput(call.getInputCount() - 1));
        assertThat(objectGraph.getAttrOrThrow("value").getTensor().getStringVal(0).toByteArray())
                .isEqualTo(checkpoint.read(TrackableObjectGraph.KEY).strings().get(0));
        assertThat(save.getControlRetMap()).containsKey("MergeV2Checkpoints");
    }

    private void write(String zooModel, Path temp) throws IOException {
        Path dir = Fixtures.zoo().resolve(zooModel);
        Model model = dir.getFileName().toString().equals("k2")
                ? new SavedModelCodec().read(dir.resolve("savedmodel"), ReadOptions.DEFAULT).model().orElseThrow()
                : new KerasArchiveCodec().read(dir.resolve("model.keras"), ReadOptions.DEFAULT).model().orElseThrow();
        Path target = temp.resolve("out");
        new SavedModelCodec().write(model, target, WriteOptions.DEFAULT);
        try (InputStream in = Files.newInputStream(target.resolve(SavedModelDir.SAVED_MODEL_PB))) {
            meta = SavedModel.parseFrom(in).getMetaGraphs(0);
        }
        nodes = meta.getGraphDef().getNodeList().stream().collect(Collectors.toMap(NodeDef::getName, Function.identity()));
        functions = meta.getGraphDef().getLibrary().getFunctionList().stream()
                .collect(Collectors.toMap(f -> f.getSignature().getName(), Function.identity()));
        checkpoint = TensorBundle.open(target.resolve(SavedModelDir.VARIABLES_PREFIX));
    }

    private int variableCount() { return checkpoint.keys().size() - 1; }

    /** The node of a graph tensor name ({@code node:0}). */
    private NodeDef node(String tensorName) {
        assertThat(tensorName).endsWith(":0");
        NodeDef node = nodes.get(tensorName.substring(0, tensorName.length() - 2));
        assertThat(node).as(tensorName).isNotNull();
        return node;
    }

    private static List<String> stringConst(FunctionDef f, String nodeName) {
        NodeDef node = f.getNodeDefList().stream().filter(n -> n.getName().equals(nodeName)).findFirst().orElseThrow();
        return node.getAttrOrThrow("value").getTensor().getStringValList().stream().map(b -> b.toStringUtf8()).toList();
    }
}
