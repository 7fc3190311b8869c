package io.keras4j.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What keras4j knows about each Keras layer class, read from one table ({@code layer-catalogue.tsv}): its aliases,
 * whether it owns weights, is the identity at inference, keeps or reads a mask, takes a list, is recurrent, can
 * compute channels_first data, and why Keras 3 lacks it. Every module asks here instead of keeping its own list, so a
 * new built-in layer is one row (plus its runtime op and TensorFlow emitter).
 */
public final class LayerCatalogue {
    private static final String RESOURCE = "layer-catalogue.tsv";
    private static final LayerCatalogue KERAS = load();

    private final Map<String, LayerClass> byClass;
    private final Map<String, LayerClass> byAnyName;

    private LayerCatalogue(List<LayerClass> rows) {
        Map<String, LayerClass> classes = new LinkedHashMap<>();
        Map<String, LayerClass> names = new LinkedHashMap<>();
        for (LayerClass row : rows) {
            classes.put(row.className(), row);
            names.put(row.className(), row);
        }
        for (LayerClass row : rows) for (String alias : row.aliases()) names.putIfAbsent(alias, row);
        this.byClass = Map.copyOf(classes);
        this.byAnyName = Map.copyOf(names);
    }

    /** The layer classes Keras 1, 2 and 3 ship. Immutable. */
    public static LayerCatalogue keras() { return KERAS; }

    /** The row of a class name or one of its aliases ({@code MaxPool2D}, {@code Convolution2D}). */
    public Optional<LayerClass> find(String className) { return Optional.ofNullable(byAnyName.get(className)); }

    /** Whether {@code className} (an exact class name, not an alias) is a layer Keras 2 or 3 ships: otherwise a custom one. */
    public boolean isBuiltin(String className) {
        LayerClass row = byClass.get(className);
        return row != null && row.kind() != Kind.LEGACY;
    }

    /** Whether the class named (or aliased) has the property; unknown classes have none. */
    public boolean is(String className, Predicate<LayerClass> property) {
        LayerClass row = byAnyName.get(className);
        return row != null && property.test(row);
    }

    /** The class names (no aliases), in table order. */
    public List<String> classNames() { return List.copyOf(byClass.keySet()); }

    public enum Kind { LAYER, INPUT, WRAPPER, MODEL, TF_OP, LEGACY }

    /** How a layer's output mask relates to its input's. */
    public enum Mask { KEEP, USE, KEEP_AND_USE, NONE }

    /** One row of the table. */
    public record LayerClass(String className, List<String> aliases, Kind kind, String weights, boolean identityAtInference,
                             Mask mask, boolean takesList, String state, boolean channelsFirstCapable,
                             Optional<String> keras3AbsentBecause) {
        public LayerClass { aliases = List.copyOf(aliases); }

        /** Owns variables itself (a model's weights are its layers'). */
        public boolean ownsWeights() { return weights.equals("yes"); }

        /** Owns no variables at all (neither itself nor through nested layers). */
        public boolean weightless() { return weights.equals("-"); }

        public boolean isModel() { return kind == Kind.MODEL; }

        /** The output keeps the input's mask (Keras's {@code supports_masking} pass-through). */
        public boolean keepsMask() { return mask == Mask.KEEP || mask == Mask.KEEP_AND_USE; }

        /** The call reads its mask argument. */
        public boolean usesMask() { return mask == Mask.USE || mask == Mask.KEEP_AND_USE; }

        /** A subclass of Keras's {@code RNN}. */
        public boolean isRecurrent() { return state.equals("rnn"); }

        /** The call takes an {@code initial_state}. */
        public boolean takesInitialState() { return !state.equals("-"); }
    }

    private static LayerCatalogue load() {
        try (InputStream in = LayerCatalogue.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> lines = reader.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
            List<String> header = List.of(lines.get(0).split("\t"));
            return new LayerCatalogue(lines.stream().skip(1).map(l -> row(header, l)).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LayerClass row(List<String> header, String line) {
        String[] cells = line.split("\t", -1);
        if (cells.length != header.size()) throw new IllegalStateException(RESOURCE + ": " + cells.length + " cells, "
                + header.size() + " expected: " + line);
        Map<String, String> c = new LinkedHashMap<>();
        for (int i = 0; i < cells.length; i++) c.put(header.get(i), cells[i]);
        List<String> aliases = c.get("aliases").equals("-") ? List.of() : Arrays.asList(c.get("aliases").split(","));
        Mask mask = switch (c.get("mask")) {
            case "keep" -> Mask.KEEP;
            case "use" -> Mask.USE;
            case "keep,use" -> Mask.KEEP_AND_USE;
            default -> Mask.NONE;
        };
        String absent = c.get("keras3_absent_because");
        return new LayerClass(c.get("class"), aliases, Kind.valueOf(c.get("kind").toUpperCase().replace('-', '_')),
                c.get("weights"), c.get("inference").equals("identity"), mask, c.get("inputs").equals("list"),
                c.get("state"), c.get("data_format").equals("channels_first"),
                absent.equals("-") ? Optional.empty() : Optional.of(absent));
    }
}
