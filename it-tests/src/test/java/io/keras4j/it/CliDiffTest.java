package io.keras4j.it;

import static io.keras4j.it.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.cli.Main;
import io.keras4j.it.CliTest.Run;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Issue #17, step 3: {@code keras4j diff A B}. */
class CliDiffTest {
    @TempDir Path dir;

    /** One model as Keras saved it in two formats, and as keras4j converted it: equal, exit 0. */
    @TestFactory
    Stream<DynamicTest> oneModelIsEqualAcrossFormats() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Zoo.Entry e : Zoo.current().entries()) {
            Path h5 = e.file("h5").orElse(null);
            if (h5 == null) continue;
            List<Path> others = new ArrayList<>();
            e.file("keras").ifPresent(others::add);
            if (e.gen().equals("k2")) e.file("savedmodel").ifPresent(others::add);
            for (Path other : others) {
                tests.add(DynamicTest.dynamicTest(e.id() + " h5 vs " + other.getFileName(), () -> {
                    Run r = run("diff", h5.toString(), other.toString());
                    assertThat(r.code()).as(r.out() + r.err()).isZero();
                    assertThat(r.out()).contains("Architecture: the same").contains("equal within --tol");
                }));
            }
            tests.add(DynamicTest.dynamicTest(e.id() + " h5 vs converted .keras", () -> {
                Path converted = java.nio.file.Files.createTempDirectory(dir, "c").resolve("converted.keras");
                Run c = run("convert", h5.toString(), converted.toString());
                assertThat(c.code()).as(c.err()).isZero();
                Run r = run("diff", h5.toString(), converted.toString());
                assertThat(r.code()).as(r.out() + r.err()).isZero();
            }));
        }
        return tests.stream();
    }

    /** A weight changed by 0.25 in one element: reported with that error; --tol above it makes the models equal. */
    @Test
    void aChangedWeightIsReportedWithItsLargestError() {
        Keras4j keras = Keras4j.create();
        Path original = LoadWeightsOptionsTest.mlp().file("keras").orElseThrow();
        Model m = keras.load(original);
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            if (!l.name().equals("dense_1")) {
                layers.add(l);
                continue;
            }
            List<Weight> ws = new ArrayList<>(l.weights());
            Tensor k = ws.get(0).value();
            float[] v = k.toFloatArray();
            v[0] += 0.25f;
            ws.set(0, ws.get(0).withValue(Tensor.ofFloats(v, k.shape())));
            layers.add(l.toBuilder().weights(ws).build());
        }
        Path changed = dir.resolve("changed.keras");
        keras.save(m.withLayers(layers), changed);
        double err = Math.abs((double) (keras.load(changed).layer("dense_1").orElseThrow().weights().get(0).value().toFloatArray()[0])
                - m.layer("dense_1").orElseThrow().weights().get(0).value().toFloatArray()[0]);

        Run r = run("diff", original.toString(), changed.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).contains("Architecture: the same").contains("Weights: 1 of 4 differ");
        assertThat(r.out()).containsPattern("(?m)^dense_1/0 \\(kernel\\)\\s+\\[8, 3\\]\\s+" + String.format(java.util.Locale.ROOT, "%.4g", err).replace(".", "\\.") + "\\s+\\S+\\s+differs$");
        assertThat(r.out().lines().filter(l -> l.endsWith("differs"))).hasSize(1);
        assertThat(run("diff", "--tol", String.valueOf(err * 1.01), original.toString(), changed.toString()).code()).isZero();
        assertThat(run("diff", "--tol", String.valueOf(err * 0.99), original.toString(), changed.toString()).code()).isEqualTo(1);
    }

    @Test
    void configChangesAndAddedOrRemovedLayersAreListed() throws Exception {
        Path json = LoadWeightsOptionsTest.mlp().file("json").orElseThrow();
        Path wider = LoadWeightsOptionsTest.edited(dir, "\"units\": 3", "\"units\": 5");
        Run units = run("diff", json.toString(), wider.toString());
        assertThat(units.code()).as(units.err()).isEqualTo(1);
        assertThat(units.out()).containsPattern("(?m)^~\\s+dense_1\\s+units 3\\s+5$").contains("Weights: none in either model");

        Path other = Path.of(CliTest.zooFile("multi_io-k3", "keras"));
        Run layers = run("diff", LoadWeightsOptionsTest.mlp().file("keras").orElseThrow().toString(), other.toString());
        assertThat(layers.code()).isEqualTo(1);
        Model a = Keras4j.create().load(LoadWeightsOptionsTest.mlp().file("keras").orElseThrow());
        Model b = Keras4j.create().load(other);
        for (Layer l : a.layers()) {
            if (b.layer(l.name()).isEmpty()) assertThat(layers.out()).containsPattern("(?m)^-\\s+" + l.name() + "\\s+" + l.className() + "$");
        }
        for (Layer l : b.layers()) {
            if (a.layer(l.name()).isEmpty()) assertThat(layers.out()).containsPattern("(?m)^\\+\\s+" + l.name() + "\\s+" + l.className() + "$");
        }
    }

    @Test
    void badArgumentsExitTwoAndMissingFilesFour() {
        String mlp = LoadWeightsOptionsTest.mlp().file("keras").orElseThrow().toString();
        assertThat(run("diff", mlp).code()).isEqualTo(Main.USAGE);
        assertThat(run("diff", "--tol", "-1", mlp, mlp).code()).isEqualTo(Main.USAGE);
        assertThat(run("diff", "--tol", "lots", mlp, mlp).code()).isEqualTo(Main.USAGE);
        Run missing = run("diff", mlp, dir.resolve("nope.keras").toString());
        assertThat(missing.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(missing.err()).contains("nope.keras");
        assertThat(run("diff", mlp, mlp).code()).isZero();
    }
}
