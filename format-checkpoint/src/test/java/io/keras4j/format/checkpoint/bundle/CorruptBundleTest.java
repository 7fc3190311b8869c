package io.keras4j.format.checkpoint.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import io.keras4j.format.checkpoint.TfFixtures;
import io.keras4j.tf.proto.CheckpointProtos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged copies of a checkpoint TensorFlow wrote: every damage is reported with the file and the key. */
class CorruptBundleTest {
    private static final String F32 = "h/f32/.ATTRIBUTES/VARIABLE_VALUE";

    @TempDir Path dir;
    private Path prefix;

    @BeforeEach
    void copyFixture() throws IOException {
        try (Stream<Path> s = Files.list(TfFixtures.dir("dtypes"))) {
            for (Path p : s.toList()) Files.copy(p, dir.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        prefix = dir.resolve("ckpt");
    }

    @Test
    void truncatedIndex() throws IOException {
        Path index = TensorBundle.indexFile(prefix);
        byte[] bytes = Files.readAllBytes(index);
        Files.write(index, Arrays.copyOf(bytes, bytes.length - 20));
        assertThatThrownBy(() -> TensorBundle.open(prefix)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("bad table magic").hasMessageContaining(index.toString());
        Files.write(index, Arrays.copyOf(bytes, 30));
        assertThatThrownBy(() -> TensorBundle.open(prefix)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("shorter than a table footer");
    }

    @Test
    void wrongMagic() throws IOException {
        Path index = TensorBundle.indexFile(prefix);
        byte[] bytes = Files.readAllBytes(index);
        bytes[bytes.length - 1] ^= 1;
        Files.write(index, bytes);
        assertThatThrownBy(() -> TensorBundle.open(prefix)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("bad table magic");
    }

    @Test
    void flippedIndexByteFailsTheBlockCrc() throws IOException {
        Path index = TensorBundle.indexFile(prefix);
        byte[] bytes = Files.readAllBytes(index);
        bytes[10] ^= 0x40;
        Files.write(index, bytes);
        assertThatThrownBy(() -> TensorBundle.open(prefix)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("fails its CRC32C check");
    }

    @Test
    void flippedDataByteNamesKeyAndShard() throws IOException {
        long offset;
        try (BundleReader r = TensorBundle.open(prefix)) {
            offset = r.entry(F32).offset();
        }
        Path data = TensorBundle.dataFile(prefix, 0, 1);
        byte[] bytes = Files.readAllBytes(data);
        bytes[(int) offset + 2] ^= 0x01;
        Files.write(data, bytes);
        try (BundleReader r = TensorBundle.open(prefix)) {
            assertThatThrownBy(() -> r.read(F32)).isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("CRC32C").hasMessageContaining(F32).hasMessageContaining("shard 0")
                    .hasMessageContaining(data.getFileName().toString());
            assertThat(r.read("h/f64/.ATTRIBUTES/VARIABLE_VALUE").toDoubleArray()[0]).isEqualTo(Math.PI);
        }
    }

    @Test
    void missingShard() throws IOException {
        Files.delete(TensorBundle.dataFile(prefix, 0, 1));
        assertThatThrownBy(() -> TensorBundle.open(prefix)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("missing data shard ckpt.data-00000-of-00001");
    }

    @Test
    void absurdClaimedShapeAndSizeAreRejectedBeforeAllocating() {
        // An index whose only tensor claims 2^40 x 2^40 float32 elements, then one claiming 1 TiB of a 9-byte shard.
        writeIndexWith(entry(new long[] {1L << 40, 1L << 40}, 0, 16));
        assertThatThrownBy(() -> TensorBundle.open(prefix)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("overflows 64 bits").hasMessageContaining("x");
        writeIndexWith(entry(new long[] {1L << 38}, 0, 1L << 40));
        assertThatThrownBy(() -> TensorBundle.open(prefix)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("runs past the end");
        writeIndexWith(entry(new long[] {4}, 0, 1L << 20));
        assertThatThrownBy(() -> TensorBundle.open(prefix)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("needs 16 bytes, the index claims 1048576");
    }

    private static byte[] entry(long[] shape, long offset, long size) {
        var e = CheckpointProtos.BundleEntryProto.newBuilder().setDtype(1).setOffset(offset).setSize(size);
        for (long d : shape) e.getShapeBuilder().addDimBuilder().setSize(d);
        return e.build().toByteArray();
    }

    private void writeIndexWith(byte[] entry) {
        var header = CheckpointProtos.BundleHeaderProto.newBuilder().setNumShards(1).build().toByteArray();
        try {
            Files.write(TensorBundle.indexFile(prefix), TableWriter.write(List.of(new Table.Entry(new byte[0], header),
                    new Table.Entry("x".getBytes(java.nio.charset.StandardCharsets.UTF_8), entry))));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Issue #14, 8: a footer whose index block sits at offset 2^63 - 3 overflowed the bounds check ({@code offset +
     * size} wrapped negative) instead of being refused.
     */
    @Test
    void aFooterOffsetNearLongMaxIsOutsideTheIndex() throws IOException {
        Path index = TensorBundle.indexFile(prefix);
        byte[] bytes = Files.readAllBytes(index);
        java.io.ByteArrayOutputStream footer = new java.io.ByteArrayOutputStream();
        Varint.write(footer, 0);
        Varint.write(footer, 0);
        Varint.write(footer, Long.MAX_VALUE - 2);
        Varint.write(footer, 10);
        byte[] handles = footer.toByteArray();
        int start = bytes.length - Table.FOOTER_SIZE;
        Arrays.fill(bytes, start, bytes.length - 8, (byte) 0);
        System.arraycopy(handles, 0, bytes, start, handles.length);
        Files.write(index, bytes);
        assertThatThrownBy(() -> TensorBundle.open(prefix)).isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("at " + (Long.MAX_VALUE - 2)).hasMessageContaining("lies outside");
    }
}
