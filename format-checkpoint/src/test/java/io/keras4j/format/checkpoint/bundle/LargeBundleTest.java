package io.keras4j.format.checkpoint.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import io.keras4j.tensor.TensorData;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tensor of 2.25 GiB followed by one stored past the 2 GiB offset. The source is a sparse file and the writer
 * skips zero chunks, so little disk is used where the file system supports holes; skipped visibly otherwise.
 */
class LargeBundleTest {
    private static final long BIG = (9L << 28); // 2.25 GiB

    @Test
    void tensorsAndOffsetsPastTwoGiB(@TempDir Path dir) throws IOException {
        long free = Files.getFileStore(dir).getUsableSpace();
        Assumptions.assumeTrue(free > 3 * BIG, "temp file system has " + free + " bytes free: skipping the 2 GiB test");
        Path source = dir.resolve("source.bin");
        try (RandomAccessFile f = new RandomAccessFile(source.toFile(), "rw")) {
            f.setLength(BIG);
            f.seek(BIG - 4);
            f.write(new byte[] {0, 0, (byte) 0x80, 0x3f}); // last float32 = 1.0
        }
        Tensor big = Tensor.of(DType.FLOAT32, new long[] {BIG / 4}, TensorData.ofFile(source, 0, BIG));
        Path prefix = dir.resolve("big");
        try (BundleWriter w = BundleWriter.create(prefix)) {
            w.add("a_big", big).add("b_after", Tensor.ofFloats(new float[] {9.229685f, 10.901115f}, 2));
            w.finish();
        }
        Files.delete(source);
        try (BundleReader r = TensorBundle.open(prefix)) {
            assertThat(r.entry("b_after").offset()).isEqualTo(BIG).isGreaterThan(Integer.MAX_VALUE);
            assertThat(r.read("b_after").toFloatArray()).containsExactly(9.229685f, 10.901115f);
            Tensor back = r.read("a_big"); // streams 2.25 GiB through CRC32C
            assertThat(back.data().size()).isEqualTo(BIG);
            assertThat(back.getDouble(BIG / 4 - 1)).isEqualTo(1.0);
            assertThat(back.getDouble((1L << 31) / 4 + 3)).isZero();
        }
    }
}
