package io.keras4j.benchmarks;

import io.keras4j.Keras4j;
import io.keras4j.model.Model;
import java.nio.file.Path;

/**
 * Loads one model in a fresh JVM, touches every weight and prints {@code W=<weight bytes>}. {@code compare-load.sh}
 * runs it under ever smaller {@code -Xmx} to find the least heap the whole load needs; the exit status says whether
 * it fit.
 *
 * <pre>java -cp benchmarks.jar io.keras4j.benchmarks.PeakHeap MODELS_DIR MODEL FORMAT</pre>
 * FORMAT {@code none} creates the facade only: the baseline the other runs are compared with.
 */
public final class PeakHeap {
    private PeakHeap() {}

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: PeakHeap MODELS_DIR MODEL FORMAT|none");
            System.exit(2);
        }
        Keras4j keras4j = Keras4j.create();
        if (args[2].equals("none")) {
            System.out.println("W=0");
            return;
        }
        Model model = SavedFormat.of(args[2]).load(keras4j, Path.of(args[0], args[1]));
        long checksum = WeightTouch.touchAll(model);
        System.out.println("W=" + WeightTouch.weightBytes(model) + " checksum=" + checksum);
    }
}
