package io.keras4j.cli;

import io.keras4j.core.LayerRenames;
import io.keras4j.json.JsonObject;
import io.keras4j.model.Dialect;
import io.keras4j.model.Layer;
import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.spi.Codec;
import io.keras4j.spi.WriteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "edit", mixinStandardHelpOptions = true,
        description = "Write a changed copy of IN to OUT (IN is never modified): rename layers, freeze or unfreeze them, "
                + "drop the optimizer state, change the Keras generation.")
final class EditCommand implements Callable<Integer> {
    private final Main.Context context;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "The model to read (any format keras4j reads).") Path in;
    @Parameters(index = "1", paramLabel = "OUT", description = "Where to write the edited model; its name picks the format unless --to does.") Path out;

    @Option(names = "--rename", paramLabel = "OLD=NEW", description = "Rename layer OLD to NEW, and every reference to it (repeatable).")
    Map<String, String> renames = new LinkedHashMap<>();

    @Option(names = "--trainable", paramLabel = "LAYER=true|false", description = "Set a layer's trainable flag (repeatable).")
    Map<String, String> trainable = new LinkedHashMap<>();

    @Option(names = "--strip-optimizer", description = "Drop the optimizer state (the compile settings stay), as save(include_optimizer=False).")
    boolean stripOptimizer;

    @Option(names = "--dialect", paramLabel = "keras2|keras3", description = "Keras generation of OUT (default: IN's).")
    String dialect;

    @Option(names = "--to", paramLabel = "NAME", description = "Codec to write with (default: from OUT's name).")
    String to;

    EditCommand(Main.Context context) { this.context = context; }

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
            throw new CliException(Main.USAGE, "OUT is IN (" + in + "): edit writes a new file and never modifies IN");
        }
        Map<String, Boolean> flags = new LinkedHashMap<>();
        for (var e : trainable.entrySet()) {
            String v = e.getValue().toLowerCase();
            if (!v.equals("true") && !v.equals("false")) {
                throw new CliException(Main.USAGE, "--trainable " + e.getKey() + " must be true or false, not '" + e.getValue() + "'");
            }
            flags.put(e.getKey(), Boolean.parseBoolean(v));
        }
        Codec writer = Main.writerFor(context.keras(), out, to);
        Model model = context.keras().load(in);

        Set<String> names = new HashSet<>();
        collectNames(model, names);
        for (var e : renames.entrySet()) {
            if (!names.contains(e.getKey())) throw new CliException(Main.USAGE, noLayer("--rename", e.getKey(), names));
            if (e.getValue().isBlank()) throw new CliException(Main.USAGE, "--rename " + e.getKey() + ": the new name is empty");
            if (names.contains(e.getValue()) && !renames.containsKey(e.getValue())) {
                throw new CliException(Main.USAGE, "--rename " + e.getKey() + "=" + e.getValue() + ": the model already has a layer '" + e.getValue() + "'");
            }
        }
        for (String layer : flags.keySet()) {
            if (!names.contains(layer)) throw new CliException(Main.USAGE, noLayer("--trainable", layer, names));
        }

        Model edited = edit(model, flags);
        if (stripOptimizer) edited = edited.toBuilder().optimizer(null).build();
        Dialect d = dialect == null ? edited.dialect() : switch (dialect.toLowerCase()) {
            case "keras2" -> Dialect.KERAS2;
            case "keras3" -> Dialect.KERAS3;
            default -> throw new CliException(Main.USAGE, "--dialect must be keras2 or keras3, not '" + dialect + "'");
        };
        context.keras().save(edited, out, writer.info().name(), WriteOptions.DEFAULT.withDialect(d));
        spec.commandLine().getOut().printf("wrote %s (%s, %d renamed, %d trainable flags set%s)%n", out, writer.info().name(),
                renames.size(), flags.size(), stripOptimizer ? ", optimizer stripped" : "");
        return Main.OK;
    }

    private static String noLayer(String option, String name, Set<String> names) {
        return option + " " + name + ": no layer of that name; did you mean " + WriteProperties.closest(name, new ArrayList<>(names)) + "?";
    }

    private static void collectNames(Model m, Set<String> out) {
        for (Layer l : m.layers()) {
            out.add(l.name());
            l.nestedModel().ifPresent(inner -> collectNames(inner, out));
        }
    }

    /** A new model: renamed layers with every reference to them (nodes, inputs, outputs, weight names), new flags. */
    private Model edit(Model m, Map<String, Boolean> flags) {
        Map<String, Boolean> renamedFlags = new LinkedHashMap<>();
        flags.forEach((layer, flag) -> renamedFlags.put(renames.getOrDefault(layer, layer), flag));
        return withFlags(LayerRenames.apply(m, renames), renamedFlags);
    }

    private static Model withFlags(Model m, Map<String, Boolean> flags) {
        if (flags.isEmpty()) return m;
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            Boolean flag = flags.get(l.name());
            if (flag != null && !l.config().has("trainable") && l.nestedModel().isEmpty()) {
                throw new CliException(Main.USAGE, "--trainable " + l.name() + ": a " + l.className() + " has no trainable flag in Keras");
            }
            Layer.Builder b = l.toBuilder();
            if (flag != null) b.config(l.config().with("trainable", flag));
            if (l.nestedModel().isPresent()) {
                Model inner = withFlags(l.nestedModel().get(), flags);
                if (flag != null) {
                    inner = freeze(inner, flag);
                    // A nested model is written from its own config: its flag lives there.
                    inner = inner.toBuilder().config(inner.config().with("trainable", flag)).build();
                }
                b.nestedModel(inner);
            } else if (flag != null) {
                // A frozen layer's weights are all non-trainable; unfreezing leaves Keras's own flags (moving statistics).
                b.weights(l.weights().stream().map(w -> new Weight(w.name(), w.value(), !flag ? false : w.trainable())).toList());
            }
            layers.add(b.build());
        }
        return m.withLayers(layers);
    }

    /** A frozen nested model: every layer and weight in it non-trainable, as Keras's trainable=False on the model. */
    private static Model freeze(Model m, boolean flag) {
        if (flag) return m;
        List<Layer> layers = new ArrayList<>();
        for (Layer l : m.layers()) {
            // Only layers whose config carries the flag: Keras's InputLayer refuses a 'trainable' key.
            if (!l.config().has("trainable")) {
                layers.add(l);
                continue;
            }
            Layer.Builder b = l.toBuilder().config(l.config().toBuilder().put("trainable", false).build());
            if (l.nestedModel().isPresent()) b.nestedModel(freeze(l.nestedModel().get(), false));
            else b.weights(l.weights().stream().map(w -> new Weight(w.name(), w.value(), false)).toList());
            layers.add(b.build());
        }
        return m.withLayers(layers);
    }
}
