package io.keras4j.format.h5.hdf5;

import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import io.keras4j.tensor.TensorData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes an {@link H5Group} tree as the HDF5 subset h5py produces by default and every HDF5 reader understands:
 * superblock version 0, version 1 object headers, old-style groups (v1 B-tree + local heap + symbol table nodes),
 * contiguous datasets, attributes of numbers, fixed-length strings and variable-length UTF-8 strings (global heap).
 *
 * <p>Each object header holds one message chunk, so an attribute message must stay below 64 KiB; Keras splits large
 * attributes into {@code name0}, {@code name1}, … before they get here, exactly for that limit.
 *
 * <p>Blocks are laid out depth-first, children before parents, so every address is known when a parent is written;
 * only the superblock is patched at the end. Tensor data is streamed from its source, never gathered in memory.
 */
public final class H5Writer {
    /** h5py's default symbol-table-node K: a node holds 2K = 8 links. */
    private static final int LEAF_K = 4;
    private static final int MIN_INTERNAL_K = 16;
    private static final long UNDEFINED = -1L;
    private static final int SUPERBLOCK_SIZE = 96;
    private static final int MAX_MESSAGE = 0xffff;
    private static final int GLOBAL_HEAP_MIN = 4096;
    private static final int COPY_CHUNK = 1 << 24;

    private final FileChannel out;
    private final int internalK;
    private long end = SUPERBLOCK_SIZE;

    private H5Writer(FileChannel out, int internalK) {
        this.out = out;
        this.internalK = internalK;
    }

    /** Writes {@code root} to {@code file}, replacing it. Callers wanting atomicity write to a temporary file. */
    public static void write(H5Group root, Path file) throws IOException {
        int snods = maxSymbolNodes(root);
        int k = Math.max(MIN_INTERNAL_K, (snods + 1) / 2);
        if (k > 0xffff) throw new IOException("a group has too many members for one B-tree node: " + snods * 2 * LEAF_K);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            H5Writer w = new H5Writer(ch, k);
            GroupAddresses rootAddresses = w.writeGroup(root, "/");
            w.writeSuperblock(rootAddresses);
            if (ch.size() < w.end) ch.write(ByteBuffer.allocate(1), w.end - 1); // EOF at the superblock's end address
        }
    }

    private static int maxSymbolNodes(H5Group g) {
        int max = Math.max(1, ceilDiv(g.children().size(), 2 * LEAF_K));
        for (H5Node c : g.children().values()) if (c instanceof H5Group cg) max = Math.max(max, maxSymbolNodes(cg));
        return max;
    }

    private record GroupAddresses(long header, long btree, long heap) {}

    // ---------------------------------------------------------------- superblock

    private void writeSuperblock(GroupAddresses root) throws IOException {
        ByteBuffer b = le(SUPERBLOCK_SIZE);
        b.put(new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'});
        b.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0); // superblock, free-space, root entry, reserved
        b.put((byte) 0).put((byte) 8).put((byte) 8).put((byte) 0); // shared header version, offset size, length size
        b.putShort((short) LEAF_K).putShort((short) internalK).putInt(0); // K values, consistency flags
        b.putLong(0).putLong(UNDEFINED).putLong(end).putLong(UNDEFINED); // base, free space, EOF, driver info
        symbolTableEntry(b, 0, root);
        write(b.flip(), 0);
    }

    private static void symbolTableEntry(ByteBuffer b, long nameOffset, GroupAddresses group) {
        b.putLong(nameOffset).putLong(group.header).putInt(1).putInt(0).putLong(group.btree).putLong(group.heap);
    }

    // ---------------------------------------------------------------- groups

    private GroupAddresses writeGroup(H5Group group, String path) throws IOException {
        List<String> names = new ArrayList<>(group.children().keySet());
        names.sort(H5Writer::compareBytes); // the B-tree orders links by strcmp of their UTF-8 bytes
        List<Object> targets = new ArrayList<>();
        for (String name : names) {
            H5Node child = group.children().get(name);
            String childPath = path + name + "/";
            targets.add(child instanceof H5Group g ? writeGroup(g, childPath) : (Object) writeDataset((H5Dataset) child, childPath));
        }

        // Local heap: offset 0 holds the empty string, then every link name, each padded to 8 bytes.
        long[] nameOffsets = new long[names.size()];
        ByteArrayBuilder heapData = new ByteArrayBuilder();
        heapData.pad(8);
        for (int i = 0; i < names.size(); i++) {
            nameOffsets[i] = heapData.size();
            heapData.add(names.get(i).getBytes(StandardCharsets.UTF_8)).add(new byte[1]).padTo8();
        }
        long heap = allocate(32 + heapData.size());
        ByteBuffer h = le(32 + heapData.size());
        h.put(new byte[] {'H', 'E', 'A', 'P', 0, 0, 0, 0});
        h.putLong(heapData.size()).putLong(1 /* H5HL_FREE_NULL: no free block */).putLong(heap + 32);
        h.put(heapData.toArray());
        write(h.position(0), heap);

        // Symbol table nodes of 2K entries each, then one B-tree leaf pointing at them.
        int perNode = 2 * LEAF_K;
        int nodeCount = ceilDiv(names.size(), perNode);
        long[] nodeAddresses = new long[nodeCount];
        for (int n = 0; n < nodeCount; n++) {
            int from = n * perNode;
            int to = Math.min(names.size(), from + perNode);
            ByteBuffer s = le(8 + perNode * 40);
            s.put(new byte[] {'S', 'N', 'O', 'D', 1, 0}).putShort((short) (to - from));
            for (int i = from; i < to; i++) {
                Object t = targets.get(i);
                if (t instanceof GroupAddresses ga) symbolTableEntry(s, nameOffsets[i], ga);
                else s.putLong(nameOffsets[i]).putLong((Long) t).putInt(0).putInt(0).putLong(0).putLong(0);
            }
            nodeAddresses[n] = allocate(s.capacity());
            write(s.position(0), nodeAddresses[n]);
        }
        int btreeSize = 24 + (2 * internalK + 1) * 8 + 2 * internalK * 8;
        ByteBuffer t = le(btreeSize);
        t.put(new byte[] {'T', 'R', 'E', 'E', 0, 0}).putShort((short) nodeCount).putLong(UNDEFINED).putLong(UNDEFINED);
        t.putLong(0);
        for (int n = 0; n < nodeCount; n++) {
            int last = Math.min(names.size(), (n + 1) * perNode) - 1;
            t.putLong(nodeAddresses[n]).putLong(nameOffsets[last]);
        }
        long btree = allocate(btreeSize);
        write(t.position(0), btree);

        List<byte[]> messages = new ArrayList<>();
        messages.add(message(0x0011, le(16).putLong(btree).putLong(heap).array(), 0));
        addAttributes(messages, group.attributes(), path);
        return new GroupAddresses(writeObjectHeader(messages), btree, heap);
    }

    // ---------------------------------------------------------------- datasets

    private long writeDataset(H5Dataset dataset, String path) throws IOException {
        Tensor value = dataset.value();
        if (value.dtype() == DType.STRING) throw new IOException("string datasets are not supported (" + path + ")");
        long size = value.byteSize();
        long address = size == 0 ? UNDEFINED : allocate(size);
        if (size > 0) copy(value.data(), address);

        List<byte[]> messages = new ArrayList<>();
        messages.add(message(0x0001, dataspace(value.shape()), 0));
        messages.add(message(0x0003, datatype(value, false, 0), 1));
        messages.add(message(0x0005, new byte[] {2, 2, 2, 1, 0, 0, 0, 0}, 1)); // fill value: h5py's defaults
        ByteBuffer layout = le(18).put((byte) 3).put((byte) 1).putLong(address).putLong(size);
        messages.add(message(0x0008, layout.array(), 0));
        addAttributes(messages, dataset.attributes(), path);
        return writeObjectHeader(messages);
    }

    private void copy(TensorData data, long address) throws IOException {
        for (long off = 0; off < data.size(); off += COPY_CHUNK) {
            int n = (int) Math.min(COPY_CHUNK, data.size() - off);
            write(data.slice(off, n), address + off);
        }
    }

    // ---------------------------------------------------------------- attributes

    private void addAttributes(List<byte[]> messages, Map<String, H5Attribute> attributes, String path) throws IOException {
        for (Map.Entry<String, H5Attribute> e : attributes.entrySet()) {
            byte[] m = attributeMessage(e.getKey(), e.getValue());
            if (m.length > MAX_MESSAGE) {
                throw new IOException("attribute '" + e.getKey() + "' of " + path + " needs " + m.length
                        + " bytes, more than an HDF5 object header message holds (65535); split it first");
            }
            messages.add(m);
        }
    }

    private byte[] attributeMessage(String name, H5Attribute attribute) throws IOException {
        Tensor value = attribute.value();
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        boolean variable = value.dtype() == DType.STRING && !attribute.fixedLengthStrings();
        int fixedWidth = value.dtype() == DType.STRING && !variable ? maxLength(value) : 0;
        byte[] type = datatype(value, variable, fixedWidth);
        byte[] space = dataspace(value.shape());
        byte[] data = attributeData(value, variable, fixedWidth);
        ByteArrayBuilder m = new ByteArrayBuilder();
        m.add(le(8).put((byte) 1).put((byte) 0).putShort((short) nameBytes.length).putShort((short) type.length)
                .putShort((short) space.length).array());
        m.add(nameBytes).padTo8().add(type).padTo8().add(space).padTo8().add(data);
        return message(0x000C, m.toArray(), 0);
    }

    private byte[] attributeData(Tensor value, boolean variable, int fixedWidth) throws IOException {
        if (value.dtype() != DType.STRING) {
            ByteBuffer src = value.data().buffer();
            byte[] out = new byte[src.remaining()];
            src.get(out);
            return out;
        }
        List<byte[]> strings = value.strings();
        if (!variable) {
            byte[] out = new byte[strings.size() * fixedWidth];
            for (int i = 0; i < strings.size(); i++) System.arraycopy(strings.get(i), 0, out, i * fixedWidth, strings.get(i).length);
            return out;
        }
        long collection = writeGlobalHeap(strings);
        ByteBuffer out = le(strings.size() * 16);
        for (int i = 0; i < strings.size(); i++) out.putInt(strings.get(i).length).putLong(collection).putInt(i + 1);
        return out.array();
    }

    /** One global heap collection holding {@code strings} as objects 1..n. */
    private long writeGlobalHeap(List<byte[]> strings) throws IOException {
        ByteArrayBuilder c = new ByteArrayBuilder();
        c.add(new byte[] {'G', 'C', 'O', 'L', 1, 0, 0, 0}).add(new byte[8]); // size patched below
        for (int i = 0; i < strings.size(); i++) {
            byte[] s = strings.get(i);
            c.add(le(16).putShort((short) (i + 1)).putShort((short) 0).putInt(0).putLong(s.length).array());
            c.add(s).padTo8();
        }
        if (strings.size() >= 0xffff) throw new IOException("too many strings for one global heap collection");
        int used = c.size();
        int total = Math.max(GLOBAL_HEAP_MIN, used);
        if (total - used >= 16) c.add(le(16).putShort((short) 0).putShort((short) 0).putInt(0).putLong(total - used).array());
        c.pad(total - c.size());
        byte[] bytes = c.toArray();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(8, total);
        long address = allocate(total);
        write(ByteBuffer.wrap(bytes), address);
        return address;
    }

    // ---------------------------------------------------------------- type and space messages

    private static byte[] dataspace(long[] shape) {
        ByteBuffer b = le(8 + shape.length * 16);
        b.put((byte) 1).put((byte) shape.length).put((byte) (shape.length == 0 ? 0 : 1)).put((byte) 0).putInt(0);
        for (long d : shape) b.putLong(d);
        for (long d : shape) b.putLong(d);
        return b.array();
    }

    private static byte[] datatype(Tensor value, boolean variableString, int fixedWidth) throws IOException {
        DType t = value.dtype();
        switch (t) {
            case FLOAT16: return floating(2, 15, 10, 5, 10, 15);
            case FLOAT32: return floating(4, 31, 23, 8, 23, 127);
            case FLOAT64: return floating(8, 63, 52, 11, 52, 1023);
            case INT8: case INT16: case INT32: case INT64: return fixedPoint(t.byteSize(), true);
            case UINT8: case UINT16: case UINT32: case UINT64: case BOOL: return fixedPoint(t.byteSize(), false);
            case STRING:
                if (variableString) {
                    byte[] base = fixedPoint(1, false);
                    ByteBuffer b = le(8 + base.length);
                    b.put((byte) 0x19).put((byte) 0x01).put((byte) 0x01).put((byte) 0).putInt(16).put(base);
                    return b.array();
                }
                boolean ascii = value.strings().stream().allMatch(H5Writer::isAscii);
                return le(8).put((byte) 0x13).put((byte) (ascii ? 0x01 : 0x11)).put((byte) 0).put((byte) 0)
                        .putInt(Math.max(1, fixedWidth)).array();
            default: throw new IOException("HDF5 writer: no HDF5 type for " + t);
        }
    }

    private static byte[] floating(int size, int signBit, int exponentLocation, int exponentSize, int mantissaSize, int bias) {
        ByteBuffer b = le(20);
        b.put((byte) 0x11).put((byte) 0x20).put((byte) signBit).put((byte) 0).putInt(size);
        b.putShort((short) 0).putShort((short) (size * 8)).put((byte) exponentLocation).put((byte) exponentSize)
                .put((byte) 0).put((byte) mantissaSize).putInt(bias);
        return b.array();
    }

    private static byte[] fixedPoint(int size, boolean signed) {
        ByteBuffer b = le(12);
        b.put((byte) 0x10).put((byte) (signed ? 0x08 : 0)).put((byte) 0).put((byte) 0).putInt(size);
        b.putShort((short) 0).putShort((short) (size * 8));
        return b.array();
    }

    // ---------------------------------------------------------------- object headers

    /** A header message: type, size, flags, then the data padded to 8 bytes as version 1 headers require. */
    private static byte[] message(int type, byte[] data, int flags) {
        int padded = (data.length + 7) & ~7;
        ByteBuffer b = le(8 + padded);
        b.putShort((short) type).putShort((short) padded).put((byte) flags).put(new byte[3]).put(data);
        return b.array();
    }

    private long writeObjectHeader(List<byte[]> messages) throws IOException {
        int size = 0;
        for (byte[] m : messages) size += m.length;
        ByteBuffer b = le(16 + size);
        b.put((byte) 1).put((byte) 0).putShort((short) messages.size()).putInt(1).putInt(size).putInt(0);
        for (byte[] m : messages) b.put(m);
        long address = allocate(b.capacity());
        write(b.position(0), address);
        return address;
    }

    // ---------------------------------------------------------------- low level

    private long allocate(long size) {
        long address = end;
        end = (end + size + 7) & ~7L;
        return address;
    }

    private void write(ByteBuffer b, long position) throws IOException {
        ByteBuffer src = b.duplicate();
        long pos = position;
        while (src.hasRemaining()) pos += out.write(src, pos);
    }

    private static ByteBuffer le(int size) { return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN); }

    private static int ceilDiv(int a, int b) { return (a + b - 1) / b; }

    private static int maxLength(Tensor strings) {
        int max = 1;
        for (byte[] s : strings.strings()) max = Math.max(max, s.length);
        return max;
    }

    private static boolean isAscii(byte[] s) {
        for (byte c : s) if (c < 0) return false;
        return true;
    }

    static int compareBytes(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** A growable byte array with 8-byte padding helpers. */
    private static final class ByteArrayBuilder {
        private byte[] bytes = new byte[64];
        private int size;

        ByteArrayBuilder add(byte[] b) {
            if (size + b.length > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + b.length));
            System.arraycopy(b, 0, bytes, size, b.length);
            size += b.length;
            return this;
        }

        ByteArrayBuilder pad(int n) { return add(new byte[n]); }

        ByteArrayBuilder padTo8() { return pad((8 - size % 8) % 8); }

        int size() { return size; }

        byte[] toArray() { return Arrays.copyOf(bytes, size); }
    }
}
