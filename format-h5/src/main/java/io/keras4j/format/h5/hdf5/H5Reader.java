package io.keras4j.format.h5.hdf5;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.EnumDataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.OpaqueDataType;
import io.jhdf.object.datatype.OrderedDataType;
import io.jhdf.object.datatype.StringData;
import io.jhdf.object.datatype.VariableLength;
import io.keras4j.CorruptModelException;
import io.keras4j.UnsupportedModelException;
import io.keras4j.tensor.DType;
import io.keras4j.tensor.Tensor;
import io.keras4j.tensor.TensorData;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads a whole HDF5 file into an {@link H5Group} tree through jhdf. Contiguous little-endian datasets become lazy
 * file regions (nothing is copied); other datasets are decoded by jhdf. Every size is checked against the file
 * before anything is allocated, and every jhdf failure becomes a {@link CorruptModelException} naming the node.
 */
public final class H5Reader {
    private final Path file;
    /** Opened before the structure is read and kept by every region, so the path may change afterwards. */
    private final TensorData.HeldFile held;
    private final String codec;
    private final long imageStart;
    private final long imageSize;
    private long userBlock;

    private H5Reader(TensorData.HeldFile held, String codec, long imageStart, long imageSize) {
        this.file = held.path();
        this.held = held;
        this.codec = codec;
        this.imageStart = imageStart;
        this.imageSize = imageSize;
    }

    /** Reads the whole tree of {@code file}; {@code codec} names the reader in errors. */
    public static H5Group read(Path file, String codec) {
        TensorData.HeldFile held = hold(file, codec);
        long size = fileSize(held, codec);
        checkSignature(file, H5Signature.find(file), size, 0, "file", codec);
        return new H5Reader(held, codec, 0, size).readTree(() -> new HdfFile(file));
    }

    /**
     * Reads the whole tree of an HDF5 image stored as bytes {@code [start, start + length)} of {@code file} (an
     * uncompressed zip member); contiguous datasets become regions of {@code file} itself.
     */
    public static H5Group readEmbedded(Path file, long start, long length, String codec) {
        return readEmbedded(hold(file, codec), start, length, codec);
    }

    /** As {@link #readEmbedded(Path, long, long, String)}, the regions reading {@code held} (checked by the caller). */
    public static H5Group readEmbedded(TensorData.HeldFile held, long start, long length, String codec) {
        Path file = held.path();
        long size = fileSize(held, codec);
        if (start < 0 || length < 0 || start > size - length) {
            throw CorruptModelException.in(file).codec(codec).offset(start)
                    .because("an HDF5 image of " + length + " bytes at offset " + start + " overruns the file's " + size + " bytes");
        }
        try (FileSlice image = FileSlice.open(file, start, length)) {
            checkSignature(file, H5Signature.find(image), length, start, "embedded HDF5 image", codec);
            return new H5Reader(held, codec, start, length).readTree(() -> new HdfFile(image, file.toUri()));
        } catch (IOException e) {
            throw CorruptModelException.in(file).codec(codec).offset(start).cause(e).because("cannot read the file: " + e.getMessage());
        }
    }

    private static TensorData.HeldFile hold(Path file, String codec) {
        try {
            return TensorData.HeldFile.open(file);
        } catch (IOException e) {
            throw CorruptModelException.in(file).codec(codec).cause(e).because("cannot read the file: " + e.getMessage());
        }
    }

    private static long fileSize(TensorData.HeldFile held, String codec) {
        Path file = held.path();
        try {
            return held.size();
        } catch (IOException e) {
            throw CorruptModelException.in(file).codec(codec).cause(e).because("cannot read the file: " + e.getMessage());
        }
    }

    private static void checkSignature(Path file, long signature, long size, long start, String what, String codec) {
        if (signature < 0) {
            throw CorruptModelException.in(file).codec(codec).offset(start)
                    .because(size == 0 ? "the " + what + " is empty" : "no HDF5 signature at offset 0, 512, 1024, …");
        }
    }

    private H5Group readTree(Supplier<HdfFile> opener) {
        try (HdfFile hdf = opener.get()) {
            userBlock = hdf.getUserBlockSize();
            return group(hdf, "/");
        } catch (CorruptModelException | UnsupportedModelException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            throw CorruptModelException.in(file).codec(codec).offset(imageStart).cause(e)
                    .because("unreadable HDF5 structure (truncated or damaged file?): " + e);
        }
    }

    private H5Group group(Group g, String path) {
        return group(g, path, new java.util.HashSet<>());
    }

    /**
     * The group and everything below it; {@code ancestors} holds the object addresses of the groups on the way down, so
     * a hard link back to one of them (a cycle HDF5 allows, which no Keras writer makes) is reported instead of being
     * followed until the stack overflows.
     */
    private H5Group group(Group g, String path, java.util.Set<Long> ancestors) {
        if (!ancestors.add(g.getAddress())) {
            throw corrupt(path, "a hard link loops back to a group that contains it (object address " + g.getAddress() + ")", null);
        }
        H5Group.Builder b = H5Group.builder();
        attributes(g, path).forEach(b::attribute);
        for (Map.Entry<String, Node> e : g.getChildren().entrySet()) {
            Node child = e.getValue();
            String childPath = path + e.getKey() + "/";
            if (child instanceof Group cg) b.child(e.getKey(), group(cg, childPath, ancestors));
            else if (child instanceof Dataset d) b.child(e.getKey(), dataset(d, childPath));
        }
        ancestors.remove(g.getAddress());
        return b.build();
    }

    private Map<String, H5Attribute> attributes(Node node, String path) {
        Map<String, H5Attribute> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Attribute> e : node.getAttributes().entrySet()) {
            try {
                out.put(e.getKey(), attribute(e.getValue()));
            } catch (RuntimeException ex) {
                throw corrupt(path + "@" + e.getKey(), "unreadable attribute: " + ex, ex);
            }
        }
        return out;
    }

    private H5Attribute attribute(Attribute a) {
        DataType type = a.getDataType();
        long[] shape = a.isEmpty() ? new long[] {0} : a.getDimensionsAsLong();
        if (a.isEmpty()) return H5Attribute.of(Tensor.ofDoubles(new double[0], 0));
        checkClaim(a.getSizeInBytes(), "attribute " + a.getName());
        if (type instanceof StringData || type instanceof VariableLength) {
            List<byte[]> strings = new ArrayList<>();
            flatten(a.getData(), strings);
            return new H5Attribute(Tensor.ofStrings(strings, shape), type instanceof StringData);
        }
        return H5Attribute.of(numeric(type, a.getData(), shape, a.getName()));
    }

    private H5Dataset dataset(Dataset d, String path) {
        try {
            Map<String, H5Attribute> attributes = attributes(d, path);
            DataType type = d.getDataType();
            long[] shape = d.isEmpty() ? new long[] {0} : d.getDimensionsAsLong();
            boolean bfloat16 = attributes.containsKey("dtype") && attributes.get("dtype").isString()
                    && attributes.get("dtype").asStrings().equals(List.of("bfloat16"));
            DType dtype = bfloat16 && type.getSize() == 2 ? DType.BFLOAT16 : dtypeOf(type, path);
            long bytes = Math.multiplyExact(Tensor.elementCount(shape), (long) type.getSize());
            if (dtype == DType.STRING) {
                checkClaim(bytes, path);
                List<byte[]> strings = new ArrayList<>();
                flatten(d.getDataFlat(), strings);
                return new H5Dataset(Tensor.ofStrings(strings, shape), attributes);
            }
            if (bytes == 0) return new H5Dataset(Tensor.of(dtype, shape, ByteBuffer.allocate(0)), attributes);
            if (d instanceof ContiguousDataset c && d.getFilters().isEmpty() && littleEndian(type)) {
                long start = userBlock + c.getDataAddress();
                if (c.getDataAddress() < 0 || start + bytes > imageSize) {
                    throw corrupt(path, "dataset claims " + bytes + " bytes at offset " + start + " beyond the image's "
                            + imageSize + " bytes", null);
                }
                return new H5Dataset(Tensor.of(dtype, shape, held.region(imageStart + start, bytes)), attributes);
            }
            // Filtered (compressed) data may legitimately expand, but not without bound.
            if (bytes > 1024 * imageSize + (1 << 20)) throw corrupt(path, "dataset claims " + bytes + " bytes", null);
            if (dtype == DType.BFLOAT16) {
                if (!(d instanceof ContiguousDataset c)) throw corrupt(path, "a chunked bfloat16 dataset is not supported", null);
                return new H5Dataset(Tensor.of(dtype, shape, copyLittleEndian(c.getBuffer())), attributes);
            }
            return new H5Dataset(numeric(type, d.getDataFlat(), shape, path), attributes);
        } catch (CorruptModelException | UnsupportedModelException e) {
            throw e;
        } catch (RuntimeException e) {
            throw corrupt(path, "unreadable dataset: " + e, e);
        }
    }

    private DType dtypeOf(DataType type, String path) {
        int size = type.getSize();
        if (type instanceof FloatingPoint) {
            if (size == 2) return DType.FLOAT16;
            if (size == 4) return DType.FLOAT32;
            if (size == 8) return DType.FLOAT64;
        } else if (type instanceof FixedPoint f) {
            switch (size) {
                case 1: return f.isSigned() ? DType.INT8 : DType.UINT8;
                case 2: return f.isSigned() ? DType.INT16 : DType.UINT16;
                case 4: return f.isSigned() ? DType.INT32 : DType.UINT32;
                case 8: return f.isSigned() ? DType.INT64 : DType.UINT64;
                default: break;
            }
        } else if (type instanceof EnumDataType && size == 1) {
            return DType.BOOL; // h5py stores NumPy booleans as an int8 enum {FALSE, TRUE}
        } else if (type instanceof StringData || type instanceof VariableLength) {
            return DType.STRING;
        } else if (type instanceof OpaqueDataType && size == 2) {
            return DType.BFLOAT16;
        }
        throw CorruptModelException.in(file).codec(codec).at(path)
                .unsupported("HDF5 datatype class " + type.getDataClass() + " of " + size + " bytes is not a Keras weight type");
    }

    private static boolean littleEndian(DataType type) {
        return !(type instanceof OrderedDataType o) || o.getByteOrder() == ByteOrder.LITTLE_ENDIAN;
    }

    private Tensor numeric(DataType type, Object data, long[] shape, String where) {
        DType dtype = dtypeOf(type, where);
        List<Object> flat = new ArrayList<>();
        flattenValues(data, flat);
        ByteBuffer out = ByteBuffer.allocate(flat.size() * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (Object v : flat) put(out, dtype, v);
        return Tensor.of(dtype, shape, out.flip());
    }

    private static void put(ByteBuffer out, DType dtype, Object v) {
        if (v instanceof String s) v = s.equalsIgnoreCase("TRUE") ? 1 : 0; // enum booleans
        if (v instanceof Boolean b) v = b ? 1 : 0;
        Number n = (Number) v;
        switch (dtype) {
            case FLOAT16 -> out.putShort(io.keras4j.tensor.HalfFloat.fromFloat(n.floatValue()));
            case FLOAT32 -> out.putFloat(n.floatValue());
            case FLOAT64 -> out.putDouble(n.doubleValue());
            case INT8, UINT8, BOOL -> out.put(n.byteValue());
            case INT16, UINT16 -> out.putShort(n.shortValue());
            case INT32, UINT32 -> out.putInt(n.intValue());
            case INT64, UINT64 -> out.putLong(n instanceof java.math.BigInteger bi ? bi.longValue() : n.longValue());
            default -> throw new IllegalStateException("not numeric: " + dtype);
        }
    }

    private static ByteBuffer copyLittleEndian(ByteBuffer raw) {
        ByteBuffer copy = ByteBuffer.allocate(raw.remaining());
        copy.put(raw.duplicate());
        return copy.flip();
    }

    private static void flatten(Object data, List<byte[]> out) {
        if (data == null) return;
        if (data instanceof String s) {
            out.add(s.getBytes(StandardCharsets.UTF_8));
        } else if (data.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(data); i++) flatten(Array.get(data, i), out);
        } else {
            out.add(data.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void flattenValues(Object data, List<Object> out) {
        if (data == null) return;
        if (data.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(data); i++) flattenValues(Array.get(data, i), out);
        } else {
            out.add(data);
        }
    }

    private void checkClaim(long bytes, String where) {
        if (bytes < 0 || bytes > imageSize * 64 + (1 << 20)) {
            throw corrupt(where, "claims " + bytes + " bytes in a file of " + imageSize, null);
        }
    }

    private CorruptModelException corrupt(String where, String why, Throwable cause) {
        return CorruptModelException.in(file).codec(codec).at(where).cause(cause).because(why);
    }
}
