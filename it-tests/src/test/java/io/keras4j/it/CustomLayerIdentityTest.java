package io.keras4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.Keras4j;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Issue #13: the zoo's custom layer is {@code keras4j_zoo>Scale} as a class name in tf.keras's legacy files and
 * {@code Scale} with a {@code registered_name} in Keras 3's and in {@code .keras} archives; {@code Layer.customIdentity()}
 * gives the same package and name from every file of the {@code custom} model that holds its architecture, and it is
 * the one the manifest (real Keras's registry) names, on the layer the manifest lists as the custom class.
 */
class CustomLayerIdentityTest {
    private static final Keras4j KERAS = Keras4j.create();

    @Test
    void theCustomLayerHasOneIdentityWhicheverFormatItWasReadFrom() {
        Zoo zoo = Zoo.current();
        List<Zoo.Entry> custom = zoo.entries().stream().filter(e -> e.model().equals("custom")).toList();
        assertThat(custom).extracting(Zoo.Entry::gen).containsExactlyInAnyOrder("k2", "k3");
        Map<String, String> identities = new TreeMap<>();
        List<String> spellings = new ArrayList<>();
        for (Zoo.Entry e : custom) {
            List<String> registered = e.json.getArray("custom_objects").values().stream().map(JsonValue::asText).toList();
            assertThat(registered).as("%s: custom objects Keras registered", e.id()).hasSize(1);
            // The manifest lists layers with their Keras class; the custom one is the class the registered name ends in.
            String bareClass = registered.get(0).substring(registered.get(0).indexOf('>') + 1);
            List<String> customLayers = e.layers().stream().filter(l -> l.getString("class_name", "").equals(bareClass))
                    .map(l -> l.getString("name", "")).toList();
            assertThat(customLayers).as("%s: the manifest's layers of class %s", e.id(), bareClass).hasSize(1);
            for (var file : e.files()) {
                if (!file.getArray("contains").values().stream().map(JsonValue::asText).toList().contains("architecture")) continue;
                String where = e.id() + " " + file.getString("format", "");
                Model model = KERAS.load(e.path(file.getString("path", "")));
                for (Layer layer : model.layers()) {
                    if (layer.name().equals(customLayers.get(0))) {
                        identities.put(where, layer.customIdentity().map(Layer.CustomIdentity::registeredName).orElse("(none)"));
                        spellings.add(layer.className() + layer.registeredName().map(r -> " + " + r).orElse(""));
                    } else {
                        assertThat(layer.customIdentity()).as("%s: Keras's own layer %s", where, layer).isEmpty();
                    }
                }
            }
            identities.forEach((where, id) -> {
                if (where.startsWith(e.id())) assertThat(id).as(where).isEqualTo(registered.get(0));
            });
        }
        System.out.println("custom layer identity " + identities + " from spellings " + new java.util.TreeSet<>(spellings));
        // Every architecture format of both generations was read, in both spellings.
        assertThat(identities).containsOnlyKeys("custom-k2 h5", "custom-k2 json", "custom-k2 keras", "custom-k2 savedmodel",
                "custom-k3 h5", "custom-k3 json", "custom-k3 keras", "custom-k3 keras-dir");
        assertThat(new java.util.TreeSet<>(spellings)).containsExactly("Scale + keras4j_zoo>Scale", "keras4j_zoo>Scale");
    }
}
