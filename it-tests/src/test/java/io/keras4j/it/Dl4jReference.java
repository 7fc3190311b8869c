package io.keras4j.it;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.keras4j.core.KerasJson;
import io.keras4j.json.JsonArray;
import io.keras4j.json.JsonValue;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The inputs DL4J fed a public fixture and the predictions the original Keras made, from its
 * {@code *_inputs_and_outputs.h5} (groups {@code inputs/} and {@code predictions/}; root attributes {@code inputs} and
 * {@code outputs} name the model's input and output layers as JSON), written as {@code .npy} files the reverse check
 * reads.
 */
record Dl4jReference(List<String> inputNames, List<String> outputNames, JsonArray inputs, JsonArray outputs) {

    /** The reference in {@code io}, its arrays written to {@code dir}; empty when the file recorded no predictions. */
    static Optional<Dl4jReference> read(Path io, Path dir) {
        if (!Files.exists(io)) return Optional.empty();
        try (HdfFile h5 = new HdfFile(io)) {
            if (!h5.getChildren().containsKey("predictions") || h5.getAttribute("inputs") == null) return Optional.empty();
            List<String> in = names(h5, "inputs");
            List<String> out = names(h5, "outputs");
            return Optional.of(new Dl4jReference(in, out, saveAll(h5, "inputs", in, dir, "inputs_"),
                    saveAll(h5, "predictions", out, dir, "outputs_")));
        }
    }

    private static List<String> names(HdfFile h5, String attribute) {
        Object value = h5.getAttribute(attribute).getData();
        String json = value instanceof String s ? s : Array.get(value, 0).toString();
        return KerasJson.parse(json, null).asObject().getArray(attribute).values().stream().map(JsonValue::asText).toList();
    }

    private static JsonArray saveAll(HdfFile h5, String group, List<String> names, Path dir, String prefix) {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            Dataset d = h5.getDatasetByPath(group + "/" + names.get(i));
            Object data = d.getDataFlat();
            long[] shape = Arrays.stream(d.getDimensions()).asLongStream().toArray();
            Tensor t = data instanceof double[] doubles ? Tensor.ofDoubles(doubles, shape) : Tensor.ofFloats((float[]) data, shape);
            Path file = dir.resolve(prefix + i + ".npy");
            Npy.write(t, file);
            files.add(file.toString());
        }
        return ReverseCheck.strings(files);
    }
}
