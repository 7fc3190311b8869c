package io.keras4j.format.h5.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only channel over bytes {@code [start, start + length)} of a file, so that jhdf can open an HDF5 image that
 * lies inside another file (a stored zip member) where it lies, without copying it out.
 */
final class FileSlice implements SeekableByteChannel {
    private final FileChannel file;
    private final long start;
    private final long length;
    private long position;

    private FileSlice(FileChannel file, long start, long length) {
        this.file = file;
        this.start = start;
        this.length = length;
    }

    static FileSlice open(Path file, long start, long length) throws IOException {
        return new FileSlice(FileChannel.open(file, StandardOpenOption.READ), start, length);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (position >= length) return -1;
        ByteBuffer window = dst.slice();
        int wanted = (int) Math.min(window.remaining(), length - position);
        window.limit(wanted);
        int n = file.read(window, start + position);
        if (n > 0) {
            dst.position(dst.position() + n);
            position += n;
        }
        return n;
    }

    @Override public int write(ByteBuffer src) { throw new NonWritableChannelException(); }
    @Override public long position() { return position; }

    @Override
    public SeekableByteChannel position(long newPosition) {
        if (newPosition < 0) throw new IllegalArgumentException("negative position " + newPosition);
        position = newPosition;
        return this;
    }

    @Override public long size() { return length; }
    @Override public SeekableByteChannel truncate(long size) { throw new NonWritableChannelException(); }
    @Override public boolean isOpen() { return file.isOpen(); }
    @Override public void close() throws IOException { file.close(); }
}
