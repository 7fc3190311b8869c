package io.keras4j.export.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.LayerCatalogue;
import io.keras4j.format.h5.H5Codec;
import io.keras4j.format.keras.KerasArchiveCodec;
import io.keras4j.format.savedmodel.SavedModelCodec;
import io.keras4j.tf.proto.DataType;
import io.keras4j.tf.proto.FunctionDef;
import io.keras4j.tf.proto.GraphDef;
import io.keras4j.tf.proto.NodeDef;
import io.keras4j.tf.proto.OpDef;
import io.keras4j.tf.proto.SavedModel;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonNull;
import io.keras4j.model.Model;
import io.keras4j.spi.ReadOptions;
import io.keras4j.spi.WriteOptions;
import io.keras4j.testing.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The structure of the graphs written for recurrent, masked, wrapped and attention layers (zoo models of Keras 3
 * and tf_keras, and the rnn with an unknown number of steps). Their numbers are checked in real TensorFlow by {@code oracle/reverse_check.py} (see
 * {@link SavedModelWriterTest}); these tests pin what the translation must contain.
 */
class LayerTranslationTest {
    private final SavedModelCodec codec = new SavedModelCodec();

    /** The zoo rnn: Embedding(mask_zero) → LSTM(6, return_sequences) → Bidirectional(GRU(4)) → Dense, 7 steps. */
    @ParameterizedTest
    @ValueSource(strings = {"k2", "k3"})
    void maskedRecurrentLayersUnrollOneSelectPerStateAndStep(String gen, @TempDir Path temp) throws IOException {
        GraphDef graph = graph(write(zooModel("rnn", gen), temp));
        FunctionDef f = forwardPass(graph);
        assertThat(f.getNodeDefList()).as("static steps are unrolled").noneMatch(n -> n.getOp().endsWith("While"));
        assertThat(graph.getLibrary().getFunctionList()).as("no loop functions")
                .noneMatch(fn -> fn.getSignature().getName().contains("_while_"));
        // A masked step keeps each state and repeats the output: LSTM output, h, c; GRU output, h.
        assertThat(countOps(f, "lstm/", "Select")).isEqualTo(7 * 3);
        assertThat(countOps(f, "bidirectional/forward_gru/", "Select")).isEqualTo(7 * 2);
        assertThat(countOps(f, "bidirectional/backward_gru/", "Select")).isEqualTo(7 * 2);
        // go_backwards: the backward layer's first step reads the last step of the input and of the mask.
        NodeDef firstBackward = node(f, "bidirectional/backward_gru/step_0/output");
        assertThat(firstBackward.getInput(0)).isEqualTo("bidirectional/backward_gru/mask_unstack:output:6");
        assertThat(node(f, "bidirectional/forward_gru/step_0/output").getInput(0)).isEqualTo("bidirectional/forward_gru/mask_unstack:output:0");
        // Keras 3 names the mask as a NotEqual operation node; tf.keras's Embedding computes it.
        assertThat(node(f, "lstm/mask_unstack").getInput(0)).startsWith(gen.equals("k3") ? "not_equal:" : "embedding/mask:");
    }

    /** The translation table is keyed by the Keras 3 class names of the layer catalogue: a misspelt key would never match. */
    @Test
    void everyTranslatedClassIsAKerasLayerClassOfTheCatalogue() {
        LayerCatalogue catalogue = LayerCatalogue.keras();
        assertThat(LayerEmitter.classNames()).isNotEmpty().allSatisfy(cls -> {
            assertThat(catalogue.isBuiltin(cls)).as("%s is a built-in Keras class", cls).isTrue();
            assertThat(catalogue.find(cls).orElseThrow().className()).as("%s is the class's own name, not an alias", cls).isEqualTo(cls);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"rnn", "timedistributed", "attention"})
    void everyNodeReadsAnArgumentOrAnEarlierNode(String zooModel, @TempDir Path temp) throws IOException {
        for (String gen : List.of("k2", "k3")) {
            assertReadsOnlyDefinedValues(forwardPass(graph(write(zooModel(zooModel, gen), temp.resolve(gen)))), zooModel + " " + gen);
        }
    }

    @Test
    void timeDistributedFoldsStepsIntoTheBatch(@TempDir Path temp) throws IOException {
        FunctionDef f = forwardPass(graph(write(zooModel("timedistributed", "k3"), temp)));
        // [batch, 4, 8, 8, 1] → Conv2D over [batch * 4, 8, 8, 1] → back to [batch, 4, 6, 6, 3].
        assertThat(f.getNodeDefList()).anyMatch(n -> n.getName().startsWith("time_distributed/") && n.getOp().equals("Conv2D"));
        assertThat(f.getNodeDefList()).anyMatch(n -> n.getName().equals("time_distributed/fold"));
        assertThat(f.getNodeDefList()).anyMatch(n -> n.getName().equals("time_distributed/unfold"));
    }

    /** The zoo rnn with its 7 steps made unknown: each recurrent layer becomes a while loop running the same step. */
    @ParameterizedTest
    @ValueSource(strings = {"k2", "k3"})
    void anUnknownNumberOfStepsBecomesAWhileLoopOverTheCellStep(String gen, @TempDir Path temp) throws IOException {
        GraphDef graph = graph(write(withUnknownSteps(zooModel("rnn", gen)), temp));
        FunctionDef f = forwardPass(graph);
        List<NodeDef> loops = f.getNodeDefList().stream().filter(n -> n.getOp().equals("StatelessWhile")).toList();
        assertThat(loops).extracting(NodeDef::getName)
                .containsExactly("lstm_while", "bidirectional/forward_gru_while", "bidirectional/backward_gru_while");
        for (NodeDef loop : loops) {
            FunctionDef cond = function(graph, loop.getAttrOrThrow("cond").getFunc().getName());
            FunctionDef body = function(graph, loop.getAttrOrThrow("body").getFunc().getName());
            List<DataType> types = loop.getAttrOrThrow("T").getList().getTypeList();
            assertThat(types).as(loop.getName()).hasSize(loop.getInputCount());
            assertThat(loop.getAttrOrThrow("output_shapes").getList().getShapeCount()).isEqualTo(types.size());
            assertThat(cond.getSignature().getInputArgList()).extracting(OpDef.ArgDef::getType).isEqualTo(types);
            assertThat(cond.getSignature().getOutputArgList()).extracting(OpDef.ArgDef::getType).containsExactly(DataType.DT_BOOL);
            assertThat(body.getSignature().getInputArgList()).extracting(OpDef.ArgDef::getType).isEqualTo(types);
            assertThat(body.getSignature().getOutputArgList()).extracting(OpDef.ArgDef::getType).isEqualTo(types);
            assertThat(body.getSignature().getIsStateful()).as("a StatelessWhile's body reads no variable").isFalse();
            assertReadsOnlyDefinedValues(cond, loop.getName() + " cond");
            assertReadsOnlyDefinedValues(body, loop.getName() + " body");
        }
        // The body holds one masked step, as unrolled: one recurrent MatMul, a Select per state and for the output.
        FunctionDef lstmBody = function(graph, loops.get(0).getAttrOrThrow("body").getFunc().getName());
        assertThat(countOps(lstmBody, "lstm/step/", "MatMul")).isEqualTo(1);
        assertThat(countOps(lstmBody, "lstm/step/", "Select")).isEqualTo(3);
        assertThat(countOps(lstmBody, "lstm/step/", "TensorListSetItem")).as("the LSTM returns sequences").isEqualTo(1);
        FunctionDef gruBody = function(graph, loops.get(2).getAttrOrThrow("body").getFunc().getName());
        assertThat(countOps(gruBody, "bidirectional/backward_gru/step/", "Select")).isEqualTo(2);
        assertThat(countOps(gruBody, "", "TensorListSetItem")).as("the GRU returns its last output").isZero();
        // go_backwards: the backward GRU walks its time-major inputs and mask reversed.
        assertThat(node(f, "bidirectional/backward_gru/reversed").getInput(0)).startsWith("bidirectional/backward_gru/time_major:");
        assertThat(node(f, "bidirectional/backward_gru/mask_reversed").getInput(0)).startsWith("bidirectional/backward_gru/mask_time_major:");
        assertThat(f.getNodeDefList()).as("nothing unrolled").noneMatch(n -> n.getOp().equals("Unpack") && n.getName().contains("unstack"));
        assertReadsOnlyDefinedValues(f, "forward pass");
    }

    @Test
    void aStatefulRecurrentLayerIsRefusedNamingIt(@TempDir Path temp) {
        Model rnn = zooModel("rnn", "k3");
        Model stateful = rnn.withLayers(rnn.layers().stream().map(l -> !l.className().equals("LSTM") ? l
                : l.toBuilder().config(l.config().with("stateful", true)).build()).toList());
        assertThatThrownBy(() -> codec.write(stateful, temp.resolve("out"), WriteOptions.DEFAULT))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("layer 'lstm' (LSTM)").hasMessageContaining("stateful=True");
        assertThat(temp.resolve("out")).doesNotExist();
    }

    /** {@code model} with the time dimension of its input set to None, as {@code Input(shape=(None,))} declares it. */
    private static Model withUnknownSteps(Model model) {
        return model.withLayers(model.layers().stream().map(l -> {
            if (!l.className().equals("InputLayer")) return l;
            String key = l.config().has("batch_shape") ? "batch_shape" : "batch_input_shape";
            return l.toBuilder().config(l.config().with(key, JsonArray.of(JsonNull.INSTANCE, JsonNull.INSTANCE))).build();
        }).toList());
    }

    private static Model zooModel(String name, String gen) {
        Path dir = Fixtures.zoo().resolve(name).resolve(gen);
        // The committed zoo leaves out the bulky tf_keras SavedModels of these models; their .h5 holds the same model.
        return gen.equals("k2") ? new H5Codec().read(dir.resolve("model.h5"), ReadOptions.DEFAULT).model().orElseThrow()
                : new KerasArchiveCodec().read(dir.resolve("model.keras"), ReadOptions.DEFAULT).model().orElseThrow();
    }

    private Path write(Model model, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve("model.savedmodel");
        codec.write(model, target, WriteOptions.DEFAULT);
        return target;
    }

    private static GraphDef graph(Path savedModel) throws IOException {
        try (InputStream in = Files.newInputStream(savedModel.resolve("saved_model.pb"))) {
            return SavedModel.parseFrom(in).getMetaGraphs(0).getGraphDef();
        }
    }

    /** The function the serving signature's graph calls: the model's forward pass. */
    private static FunctionDef forwardPass(GraphDef graph) {
        String called = graph.getNodeList().stream().filter(n -> n.getOp().equals("StatefulPartitionedCall")).findFirst()
                .orElseThrow().getAttrOrThrow("f").getFunc().getName();
        return function(graph, called);
    }

    private static FunctionDef function(GraphDef graph, String name) {
        return graph.getLibrary().getFunctionList().stream().filter(fn -> fn.getSignature().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no function " + name + " in the library"));
    }

    /** Every node input and result names an argument or a node defined before it. */
    private static void assertReadsOnlyDefinedValues(FunctionDef f, String what) {
        Set<String> defined = new HashSet<>();
        for (OpDef.ArgDef arg : f.getSignature().getInputArgList()) defined.add(arg.getName());
        for (NodeDef n : f.getNodeDefList()) {
            for (String input : n.getInputList()) {
                String source = input.startsWith("^") ? input.substring(1) : input.split(":")[0];
                assertThat(defined).as("%s: input %s of %s", what, input, n.getName()).contains(source);
            }
            defined.add(n.getName());
        }
        assertThat(f.getRetMap().values()).as(what).allMatch(r -> defined.contains(r.split(":")[0]));
    }

    private static long countOps(FunctionDef f, String prefix, String op) {
        return f.getNodeDefList().stream().filter(n -> n.getName().startsWith(prefix) && n.getOp().equals(op)).count();
    }

    private static NodeDef node(FunctionDef f, String name) {
        return f.getNodeDefList().stream().filter(n -> n.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + name));
    }
}
