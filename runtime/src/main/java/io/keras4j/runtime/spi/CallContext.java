package io.keras4j.runtime.spi;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * What one predict call gives its layers: a way to split independent work (batch rows, output pixels) over the
 * configured executor. Layers must write disjoint regions of fresh arrays from each chunk.
 */
public final class CallContext {
    /**
     * Below this many work units (multiply-adds, roughly) per chunk, handing work to another thread costs more than it
     * saves. The runtime's shared pool keeps its workers polling between tasks, so handing a chunk to one takes
     * under a microsecond (2 x 5 us of work took 5.8 us on the 2-core machine); a worker that has parked takes
     * about 10 us of the calling thread's time to wake (a futex wake of an idle virtual CPU) and starts later still.
     * 2^19 is about 9 us of packed matmul, so a split pays when the worker polls and costs little when it sleeps.
     * (With a parking ForkJoinPool the threshold had to be 2^21: every split paid the wake.)
     */
    public static final long MIN_WORK_PER_CHUNK = 1 << 19;

    private final Executor executor;
    private final int parallelism;
    private final long minWorkPerChunk;
    /** This call's reusable arrays, or null: every buffer is then a fresh array. */
    private final BufferArena arena;

    public CallContext(Executor executor, int parallelism) { this(executor, parallelism, MIN_WORK_PER_CHUNK); }

    /** {@code minWorkPerChunk}: the least work worth a chunk of its own (tests lower it to split even tiny layers). */
    public CallContext(Executor executor, int parallelism, long minWorkPerChunk) {
        this(executor, parallelism, minWorkPerChunk, null);
    }

    private CallContext(Executor executor, int parallelism, long minWorkPerChunk, BufferArena arena) {
        this.executor = executor;
        this.parallelism = executor == null ? 1 : Math.max(1, parallelism);
        this.minWorkPerChunk = Math.max(1, minWorkPerChunk);
        this.arena = arena;
    }

    /** This context for one call whose layer outputs come from {@code arena} (null: fresh arrays). */
    public CallContext withArena(BufferArena arena) { return new CallContext(executor, parallelism, minWorkPerChunk, arena); }

    /**
     * An array for a layer output of {@code length} floats that the layer writes in full: reused from an earlier
     * output nothing reads any more when the call has an arena, so its contents are undefined.
     */
    public float[] buffer(int length) { return arena == null ? new float[length] : arena.take(length); }

    /** Like {@link #buffer} but filled with zeros, for outputs written only in part (padding) or accumulated into. */
    public float[] zeroedBuffer(int length) { return arena == null ? new float[length] : arena.takeZeroed(length); }

    /** For graph executors: a value slot now holds {@code data} (see {@link BufferArena#retain}). */
    public void retain(float[] data) { if (arena != null) arena.retain(data); }

    /** For graph executors: a value slot dropped {@code data} (see {@link BufferArena#release}). */
    public void release(float[] data) { if (arena != null) arena.release(data); }

    public static CallContext serial() { return new CallContext(null, 1); }

    /** The most chunks {@link #parallelFor} splits work into. */
    public int parallelism() { return parallelism; }

    /** A range body: processes items {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody { void run(int from, int to); }

    /**
     * Runs {@code body} over {@code [0, n)} in contiguous chunks, in parallel when an executor is configured and
     * the work ({@code n * costPerItem}) is large enough. The calling thread works too and takes every chunk no other
     * thread has claimed yet, so a helper that wakes late costs at most its hand-off, never a wait for a whole chunk
     * it has not started: a split call is never much slower than the same call on one thread.
     */
    public void parallelFor(int n, long costPerItem, RangeBody body) {
        long work = (long) n * Math.max(1, costPerItem);
        int chunks = (int) Math.min(parallelism, Math.min(n, Math.max(1, work / minWorkPerChunk)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        Job job = new Job(n, chunks, body);
        for (int i = 1; i < chunks; i++) {
            try {
                executor.execute(job);
            } catch (RejectedExecutionException e) {
                break; // a pool that is shutting down: the calling thread does the rest
            }
        }
        job.work();
        job.awaitClaimedChunks();
    }

    /** One split call: chunks are claimed in order by whichever thread asks first (the caller included). */
    private static final class Job implements Runnable {
        /** How long the caller spins for chunks others still run before it parks (chunks are tens of microseconds). */
        private static final long SPIN_NANOS = 50_000;

        private final int n;
        private final int per;
        private final int chunks;
        private final RangeBody body;
        private final Thread caller = Thread.currentThread();
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger unfinished;
        private volatile Throwable failure;

        Job(int n, int chunks, RangeBody body) {
            this.n = n;
            this.per = (n + chunks - 1) / chunks;
            this.chunks = (n + per - 1) / per;
            this.body = body;
            this.unfinished = new AtomicInteger(this.chunks);
        }

        @Override
        public void run() { work(); }

        void work() {
            for (int chunk; (chunk = next.getAndIncrement()) < chunks; ) {
                try {
                    if (failure == null) body.run(chunk * per, Math.min(n, (chunk + 1) * per));
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    if (unfinished.decrementAndGet() == 0) LockSupport.unpark(caller);
                }
            }
        }

        void awaitClaimedChunks() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (unfinished.get() > 0) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            Throwable t = failure;
            if (t instanceof RuntimeException) throw (RuntimeException) t;
            if (t instanceof Error) throw (Error) t;
            if (t != null) throw new IllegalStateException(t);
        }
    }
}
