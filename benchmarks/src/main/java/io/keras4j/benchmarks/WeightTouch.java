package io.keras4j.benchmarks;

import io.keras4j.model.Model;
import io.keras4j.model.Weight;
import io.keras4j.tensor.TensorData;
import java.nio.ByteBuffer;

/**
 * Makes every byte of every weight resident, so that lazily read file regions cannot hide work: reads one byte per
 * 4 KiB page of each tensor's data (mapped or copied, as the tensor provides it).
 */
final class WeightTouch {
    private static final int PAGE = 4096;

    private WeightTouch() {}

    /** A checksum of the bytes read; consume it so the reads are not optimised away. */
    static long touchAll(Model model) {
        long sum = 0;
        for (Weight w : model.weights()) sum += touch(w.value().data());
        return sum;
    }

    /** Total bytes of weight data, W. */
    static long weightBytes(Model model) {
        long total = 0;
        for (Weight w : model.weights()) total += w.value().data().size();
        return total;
    }

    private static long touch(TensorData data) {
        long sum = 0;
        for (long from = 0; from < data.size(); from += Integer.MAX_VALUE) {
            ByteBuffer bytes = data.slice(from, (int) Math.min(Integer.MAX_VALUE, data.size() - from));
            for (int i = 0; i < bytes.limit(); i += PAGE) sum += bytes.get(i);
            if (bytes.limit() > 0) sum += bytes.get(bytes.limit() - 1);
        }
        return sum;
    }
}
