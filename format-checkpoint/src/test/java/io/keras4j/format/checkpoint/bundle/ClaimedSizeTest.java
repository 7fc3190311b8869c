package io.keras4j.format.checkpoint.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.CorruptModelException;
import io.keras4j.tf.proto.CheckpointProtos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #14, 4: a ~200-byte index whose partitioned variable claims 536,870,909 floats made the reader allocate 2 GiB
 * before looking at its parts (an OutOfMemoryError at -Xmx1g). The claim is now checked against the bytes the parts
 * hold, before any allocation; a well-formed partitioned variable still reads.
 */
class ClaimedSizeTest {
    private static final String KEY = "big/.ATTRIBUTES/VARIABLE_VALUE";
    private static final int DT_FLOAT = 1;

    @TempDir Path dir;

    @Test
    void aPartitionedVariableClaimingMoreThanItsPartsHoldIsCorruptNotAnAllocation() throws Exception {
        Path prefix = write(536_870_909L, 10);
        assertThat(Files.size(TensorBundle.indexFile(prefix))).as("a tiny index").isLessThan(400);
        try (BundleReader r = TensorBundle.open(prefix)) {
            assertThatThrownBy(() -> r.read(KEY)).isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining(KEY).hasMessageContaining("claims 2147483636 bytes").hasMessageContaining("parts hold 40");
        }
    }

    @Test
    void aPartitionedVariableItsPartsFillReads() throws Exception {
        Path prefix = write(10, 10);
        try (BundleReader r = TensorBundle.open(prefix)) {
            float[] values = r.read(KEY).toFloatArray();
            assertThat(values).containsExactly(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f);
        }
    }

    /** A bundle with one float variable of {@code claimed} elements stored as one part of {@code stored} elements. */
    private Path write(long claimed, int stored) throws Exception {
        Path prefix = dir.resolve("ckpt");
        byte[] data = new byte[stored * 4];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < stored; i++) b.putFloat(i);
        Files.write(TensorBundle.dataFile(prefix, 0, 1), data);
        var slice = CheckpointProtos.TensorSliceProto.newBuilder()
                .addExtent(CheckpointProtos.TensorSliceProto.Extent.newBuilder().setStart(0).setLength(stored)).build();
        var full = CheckpointProtos.BundleEntryProto.newBuilder().setDtype(DT_FLOAT).addSlices(slice);
        full.getShapeBuilder().addDimBuilder().setSize(claimed);
        var part = CheckpointProtos.BundleEntryProto.newBuilder().setDtype(DT_FLOAT).setShardId(0).setOffset(0)
                .setSize(data.length).setCrc32C(Crc32c.mask(Crc32c.of(data, 0, data.length)));
        part.getShapeBuilder().addDimBuilder().setSize(stored);
        var header = CheckpointProtos.BundleHeaderProto.newBuilder().setNumShards(1)
                .setEndianness(CheckpointProtos.BundleHeaderProto.Endianness.LITTLE);
        header.getVersionBuilder().setProducer(1);
        List<Table.Entry> entries = new ArrayList<>();
        entries.add(new Table.Entry(new byte[0], header.build().toByteArray()));
        entries.add(new Table.Entry(KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8), full.build().toByteArray()));
        entries.add(new Table.Entry(SliceKeys.encode(KEY, new BundleEntry.Slice(new long[] {0}, new long[] {stored})),
                part.build().toByteArray()));
        entries.sort(Comparator.comparing(Table.Entry::key, Arrays::compareUnsigned));
        Files.write(TensorBundle.indexFile(prefix), TableWriter.write(entries));
        return prefix;
    }
}
