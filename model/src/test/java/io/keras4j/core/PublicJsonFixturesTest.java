package io.keras4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.core.testing.KerasJsonFixtures;
import io.keras4j.testing.Fixtures;
import io.keras4j.testing.PinnedOutcomes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every Keras architecture JSON among the shared public fixtures (Keras 1.0.5 to 2.3.1). */
class PublicJsonFixturesTest {

    @TestFactory
    Stream<DynamicTest> readsEveryFixtureAndRoundTripsLosslessly() {
        List<Path> files = KerasJsonFixtures.all();
        assertThat(files).hasSizeGreaterThan(100);
        return files.stream().map(f -> DynamicTest.dynamicTest(Fixtures.publicFixtures().relativize(f).toString(), () -> {
            String text = Files.readString(f);
            JsonValue tree = KerasJson.parse(text, f);
            Model m = KerasJson.readModel(tree, f);
            assertThat(m.layers()).isNotEmpty();
            for (Layer l : m.layers()) assertThat(l.className()).isNotBlank();
            if (!m.isSequential()) {
                assertThat(m.inputs()).isNotEmpty();
                assertThat(m.outputs()).isNotEmpty();
                for (var ref : m.inputs()) assertThat(m.layer(ref.layer())).as("input " + ref).isPresent();
            }
            String version = tree.asObject().getString("keras_version", "");
            if (version.startsWith("1.")) assertThat(m.dialect()).isEqualTo(Dialect.KERAS1);
            if (version.startsWith("2.")) assertThat(m.dialect()).isEqualTo(Dialect.KERAS2);
            JsonValue again = KerasJson.toTree(m, m.dialect());
            assertThat(again).as("same-dialect round trip of " + f.getFileName()).isEqualTo(tree);
        }));
    }

    /**
     * Every fixture converts to Keras 3 and back to Keras 2, or is refused with an UnsupportedModelException (a Keras 1
     * construct without a later form) whose reason is pinned in {@code pinned/public-json-conversion-refusals.tsv};
     * the last case compares the refusals seen with that table.
     */
    @TestFactory
    Stream<DynamicTest> keras1And2ConvertToKeras3AndBackToKeras2() {
        Path pub = Fixtures.publicFixtures();
        Map<String, String> refused = new TreeMap<>();
        List<Path> files = KerasJsonFixtures.all();
        Stream<DynamicTest> each = files.stream().map(f -> DynamicTest.dynamicTest(pub.relativize(f).toString(), () -> {
            Model m;
            try {
                m = KerasJson.readModel(Files.readString(f), f);
                Model k3 = Dialects.convert(m, Dialect.KERAS3);
                assertThat(k3.dialect()).isEqualTo(Dialect.KERAS3);
                String json = KerasJson.write(m, Dialect.KERAS3);
                Model reread = KerasJson.readModel(json, f);
                assertThat(reread.dialect()).isEqualTo(Dialect.KERAS3);
                assertThat(reread.layers().stream().map(Layer::name).toList())
                        .containsAll(m.layers().stream().map(Layer::name).toList());
                Model k2 = KerasJson.readModel(KerasJson.write(reread, Dialect.KERAS2), f);
                assertThat(k2.dialect()).isEqualTo(Dialect.KERAS2);
                assertThat(k2.layers()).hasSize(reread.layers().size());
            } catch (io.keras4j.UnsupportedModelException e) {
                refused.put(pub.relativize(f).toString().replace('\\', '/'), PinnedOutcomes.reason(e.getMessage(), pub));
            }
        }));
        return Stream.concat(each, Stream.of(DynamicTest.dynamicTest("refusals equal the pinned table",
                () -> PinnedOutcomes.assertMatches("public-json-conversion-refusals",
                        "public JSON fixtures refused by the Keras 3 conversion", refused))));
    }
}
