package com.example.consumer;

import io.keras4j.Keras4j;
import io.keras4j.model.Model;
import io.keras4j.runtime.CompiledModel;
import io.keras4j.tensor.Npy;
import io.keras4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads a Keras model, converts it to .keras and .h5 in a temporary directory, and predicts with the original and
 * with each conversion on the given NumPy inputs.
 *
 * <pre>java -cp "target/keras4j-consumer-maven-1.0.jar:target/lib/*" com.example.consumer.Main MODEL [INPUT.npy...]
 * java -p target/keras4j-consumer-maven-1.0.jar:target/lib -m com.example.consumer/com.example.consumer.Main MODEL [INPUT.npy...]</pre>
 *
 * Prints one line per output: {@code LABEL output I SHAPE: v0 v1 ...} (each float in Java's round-trip form).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Main MODEL [INPUT.npy...]");
            System.exit(2);
        }
        Path source = Path.of(args[0]);
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) inputs.add(Npy.read(Path.of(args[i])));

        System.out.println("running on the " + (Main.class.getModule().isNamed() ? "module path" : "class path"));
        Keras4j keras = Keras4j.create();
        Model model = keras.load(source);
        print("original", model, inputs);

        Path dir = Files.createTempDirectory("keras4j-consumer");
        try {
            for (String name : List.of("model.keras", "model.h5")) {
                Path target = dir.resolve(name);
                keras.save(model, target);
                print(name, keras.load(target), inputs);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }

    private static void print(String label, Model model, List<Tensor> inputs) {
        List<Tensor> outputs = CompiledModel.compile(model).predictTensors(inputs);
        for (int i = 0; i < outputs.size(); i++) {
            StringBuilder line = new StringBuilder(label + " output " + i + " " + Arrays.toString(outputs.get(i).shape()) + ":");
            for (float v : outputs.get(i).toFloatArray()) line.append(' ').append(v);
            System.out.println(line);
        }
    }
}
