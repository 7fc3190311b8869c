package io.keras4j.runtime.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * What one predict call gives its layers: a way to split independent work (batch rows, output pixels) over the
 * configured executor. Layers must write disjoint regions of fresh arrays from each chunk.
 */
public final class CallContext {
    /**
     * Below this many work units (multiply-adds, roughly) per chunk, handing work to another thread costs more than it
     * saves: waking a parked worker takes tens of microseconds, about what the vector kernel needs for 2^18.
     */
    public static final long MIN_WORK_PER_CHUNK = 1 << 18;

    private final Executor executor;
    private final int parallelism;
    private final long minWorkPerChunk;

    public CallContext(Executor executor, int parallelism) { this(executor, parallelism, MIN_WORK_PER_CHUNK); }

    /** {@code minWorkPerChunk}: the least work worth a chunk of its own (tests lower it to split even tiny layers). */
    public CallContext(Executor executor, int parallelism, long minWorkPerChunk) {
        this.executor = executor;
        this.parallelism = executor == null ? 1 : Math.max(1, parallelism);
        this.minWorkPerChunk = Math.max(1, minWorkPerChunk);
    }

    public static CallContext serial() { return new CallContext(null, 1); }

    /** The most chunks {@link #parallelFor} splits work into. */
    public int parallelism() { return parallelism; }

    /** A range body: processes items {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody { void run(int from, int to); }

    /**
     * Runs {@code body} over {@code [0, n)} in contiguous chunks, in parallel when an executor is configured and
     * the work ({@code n * costPerItem}) is large enough.
     */
    public void parallelFor(int n, long costPerItem, RangeBody body) {
        int chunks = (int) Math.min(parallelism, Math.min(n, Math.max(1, n * costPerItem / minWorkPerChunk)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        List<CompletableFuture<Void>> running = new ArrayList<>();
        int per = (n + chunks - 1) / chunks;
        for (int start = per; start < n; start += per) {
            int from = start, to = Math.min(n, start + per);
            running.add(CompletableFuture.runAsync(() -> body.run(from, to), executor));
        }
        body.run(0, Math.min(n, per));
        for (CompletableFuture<Void> f : running) f.join();
    }
}
