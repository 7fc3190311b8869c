package io.keras4j.core;

import io.keras4j.json.JsonObject;
import io.keras4j.json.JsonValue;
import io.keras4j.model.Dialect;
import io.keras4j.model.Model;
import java.nio.file.Path;

/**
 * Keras model JSON of every dialect, for this module's codecs and for the format modules that store the same JSON
 * inside their files (the {@code model_config} of an HDF5 file, a {@code .keras} archive's {@code config.json},
 * a SavedModel's Keras metadata). Writing a model built in Java refuses layer classes Keras does not have
 * ({@link LayerClasses}).
 */
public final class KerasJson {
    private KerasJson() {}

    /** Parses JSON as Python's {@code json} writes it ({@code NaN} and {@code Infinity} allowed). */
    public static JsonValue parse(String text, Path source) { return JsonTrees.parseJson(text, source, "json"); }

    /** Reads a model from JSON text: {@code to_json()}, {@code get_config()}, {@code model_config}, {@code config.json}. */
    public static Model readModel(String text, Path source) { return readModel(parse(text, source), source); }

    /** Reads a model from a parsed tree of any dialect; layers keep their configs verbatim. Architecture only. */
    public static Model readModel(JsonValue topLevel, Path source) { return readModel(topLevel, source, "json"); }

    /** As {@link #readModel(JsonValue, Path)}, naming {@code codec} in errors and provenance. */
    public static Model readModel(JsonValue topLevel, Path source, String codec) {
        return new ModelReader(source, codec).read(topLevel);
    }

    /** The model as Keras's JSON tree in {@code dialect} (converting when the model is in another one). */
    public static JsonObject toTree(Model model, Dialect dialect) {
        return toTree(model, dialect, false);
    }

    /**
     * As {@link #toTree(Model, Dialect)}; {@code allowSemanticChange} as in {@link Dialects#convertForWriting}. The tree
     * is the architecture alone, so a conversion that needs the weights changed to keep the meaning is refused.
     */
    public static JsonObject toTree(Model model, Dialect dialect, boolean allowSemanticChange) {
        LayerClasses.requireKnownIfBuiltInJava(model);
        return ModelWriter.topLevel(Dialects.convertForWriting(model, dialect, allowSemanticChange, false));
    }

    /** The model config only ({@code model.get_config()}), in {@code dialect}. */
    public static JsonValue toConfig(Model model, Dialect dialect) {
        LayerClasses.requireKnownIfBuiltInJava(model);
        return ModelWriter.modelConfig(Dialects.convert(model, dialect));
    }

    /** Compact JSON text like {@code model.to_json()}. */
    public static String write(Model model, Dialect dialect) { return toText(toTree(model, dialect), false); }

    /** Keras's {@code model.to_json()}: the architecture as compact JSON text in {@code dialect}. */
    public static String toJson(Model model, Dialect dialect) { return write(model, dialect); }

    /** Keras's {@code keras.models.model_from_json(text)}: the architecture of any dialect, without weights. */
    public static Model fromJson(String text) { return readModel(text, null); }

    public static String toText(JsonValue value, boolean pretty) { return JsonTrees.toJson(value, pretty); }
}
