package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.UnsupportedModelException;
import io.keras4j.core.testing.KerasJsonFixtures;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.TensorRef;
import io.keras4j.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The call order over every architecture Keras wrote that the tests hold, in both the source and Keras 3 dialects. */
class CallPlanTest {

    @TestFactory
    Stream<DynamicTest> everyCallComesAfterTheCallsItWaitsFor() {
        List<Path> files = new ArrayList<>(Fixtures.find(Fixtures.zoo(), p -> p.getFileName().toString().equals("model.json")));
        files.addAll(KerasJsonFixtures.all());
        assertThat(files).as("architectures to plan").hasSizeGreaterThan(20);
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getParent().getFileName() + "/" + f.getFileName(), () -> {
            Model source = KerasJson.readModel(Files.readString(f), f);
            checkPlan(source);
            try {
                checkPlan(Dialects.convert(source, Dialect.KERAS3));
            } catch (UnsupportedModelException refusedConversion) {
                // Conversions that are refused are PublicJsonFixturesTest's subject.
            }
        }));
    }

    private static void checkPlan(Model model) {
        CallPlan plan = CallPlan.of(model);
        int recorded = 0;
        for (Layer l : model.layers()) if (!l.className().equals("InputLayer")) recorded += plan.isChain() ? 1 : l.inboundNodes().size();
        assertThat(plan.calls()).as("one call per recorded node of %s", model.name()).hasSize(recorded);
        Set<String> produced = new HashSet<>();
        for (TensorRef in : model.inputs()) produced.add(in.layer() + "/0");
        Map<String, Integer> callsSoFar = new HashMap<>();
        for (CallPlan.Call c : plan.calls()) {
            if (!plan.isChain()) {
                for (TensorRef r : c.site().inputs()) {
                    assertThat(produced).as("%s waits for %s", c.layer().name(), r).contains(r.layer() + "/" + r.node());
                }
            }
            assertThat(c.callIndex()).isEqualTo(callsSoFar.merge(c.layer().name(), 1, Integer::sum) - 1);
            assertThat(produced.add(c.layer().name() + "/" + c.node())).as("node numbers are unique").isTrue();
        }
        for (Layer l : model.layers()) l.nestedModel().ifPresent(CallPlanTest::checkPlan);
    }

    @Test
    void aCallOnATensorNoLayerProducesIsRefusedNamingIt() {
        String json = """
                {"class_name": "Functional", "config": {"name": "m", "layers": [
                  {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_input_shape": [null, 2]}, "inbound_nodes": []},
                  {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 1}, "inbound_nodes": [[["ghost", 0, 0, {}]]]}],
                  "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]}, "keras_version": "2.15.0"}""";
        Model m = KerasJson.readModel(json, null);
        assertThatThrownBy(() -> CallPlan.of(m)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("layer 'd' (node 0) consumes [ghost[0][0]]").hasMessageContaining("which no layer produces");
    }
}
