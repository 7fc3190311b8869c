package io.keras4j.tfgraph;

import static io.keras4j.tfgraph.TinyGraphs.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.tensor.Tensor;
import io.keras4j.tf.proto.GraphDef;
import io.keras4j.tf.proto.MetaGraphDef;
import io.keras4j.tf.proto.SavedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GraphModelTest {
    @TempDir Path dir;

    @Test
    void runsASignatureByNameWithNamedInputsAndOutputs() throws Exception {
        GraphModel m = GraphModel.load(TinyGraphs.addConstant(dir.resolve("sm")));
        assertThat(m.signatureNames()).containsExactly("serving_default");
        GraphSignature sig = m.signature("serving_default");
        assertThat(sig.inputs()).extracting(GraphSignature.Spec::name).containsExactly("x");
        assertThat(sig.inputs().get(0).shape()).containsExactly(-1, 3);
        Map<String, Tensor> out = m.run("serving_default", Map.of("x", Tensor.ofFloats(new float[] {10, 20, 30, 40, 50, 60}, 2, 3)));
        assertThat(out.get("y").shape()).containsExactly(2, 3);
        assertThat(out.get("y").toFloatArray()).containsExactly(11, 22, 33, 41, 52, 63);
        assertThat(m.opsUsed()).contains("AddV2", "Const");
    }

    @Test
    void aWrongInputShapeNamesTheInputAndTheDeclaredShape() throws Exception {
        GraphModel m = GraphModel.load(TinyGraphs.addConstant(dir.resolve("sm")));
        assertThatThrownBy(() -> m.run("serving_default", Map.of("x", Tensor.ofFloats(new float[4], 2, 2))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input 'x'").hasMessageContaining("[-1, 3]");
        assertThatThrownBy(() -> m.run("serving_default", Map.of("z", Tensor.ofFloats(new float[3], 1, 3))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no input 'z'");
        assertThatThrownBy(() -> m.run("nope", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no signature 'nope'").hasMessageContaining("serving_default");
    }

    @Test
    void aTruncatedSavedModelIsCorruptWithTheFileAndOffset() throws Exception {
        Path sm = TinyGraphs.addConstant(dir.resolve("sm"));
        byte[] whole = Files.readAllBytes(sm.resolve("saved_model.pb"));
        Files.write(sm.resolve("saved_model.pb"), Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> GraphModel.load(sm)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("saved_model.pb").hasMessageContaining("near byte");
    }

    @Test
    void anOpWithoutAKernelIsRefusedAtLoadNamingOpAndNode() throws Exception {
        Path sm = TinyGraphs.addConstant(dir.resolve("sm"));
        SavedModel m = SavedModel.parseFrom(Files.readAllBytes(sm.resolve("saved_model.pb")));
        MetaGraphDef meta = m.getMetaGraphs(0);
        GraphDef g = meta.getGraphDef().toBuilder().setNode(2, node("y", "FancyNewOp", "x", "c:0")).build();
        Files.write(sm.resolve("saved_model.pb"), m.toBuilder().setMetaGraphs(0, meta.toBuilder().setGraphDef(g)).build().toByteArray());
        assertThatThrownBy(() -> GraphModel.load(sm)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("FancyNewOp").hasMessageContaining("node 'y'");
    }

    @Test
    void aCycleIsRefusedAtLoad() throws Exception {
        Path sm = TinyGraphs.addConstant(dir.resolve("sm"));
        SavedModel m = SavedModel.parseFrom(Files.readAllBytes(sm.resolve("saved_model.pb")));
        MetaGraphDef meta = m.getMetaGraphs(0);
        GraphDef g = meta.getGraphDef().toBuilder().setNode(2, node("y", "AddV2", "x", "z:0")).addNode(node("z", "Neg", "y:0")).build();
        Files.write(sm.resolve("saved_model.pb"), m.toBuilder().setMetaGraphs(0, meta.toBuilder().setGraphDef(g)).build().toByteArray());
        assertThatThrownBy(() -> GraphModel.load(sm)).hasMessageContaining("cycle");
    }

    @Test
    void aKernelFailureNamesTheNodeAndItsInputs() throws Exception {
        Path sm = TinyGraphs.addConstant(dir.resolve("sm"));
        SavedModel m = SavedModel.parseFrom(Files.readAllBytes(sm.resolve("saved_model.pb")));
        MetaGraphDef meta = m.getMetaGraphs(0);
        // x [-1, 3] + a [2] constant does not broadcast.
        GraphDef g = meta.getGraphDef().toBuilder().setNode(1, TinyGraphs.floatConst("c", new float[] {1, 2}, 2)).build();
        Files.write(sm.resolve("saved_model.pb"), m.toBuilder().setMetaGraphs(0, meta.toBuilder().setGraphDef(g)).build().toByteArray());
        GraphModel model = GraphModel.load(sm);
        assertThatThrownBy(() -> model.run("serving_default", Map.of("x", Tensor.ofFloats(new float[3], 1, 3))))
                .hasMessageContaining("node 'y' (AddV2)").hasMessageContaining("float32[1, 3], float32[2]")
                .hasMessageContaining("do not broadcast");
    }

    @Test
    void aMissingSavedModelIsNamed() {
        assertThatThrownBy(() -> GraphModel.load(dir)).isInstanceOf(CorruptModelException.class).hasMessageContaining("no saved_model.pb");
    }
}
