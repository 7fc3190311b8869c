package io.keras4j.runtime;

import io.keras4j.runtime.spi.LayerProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * How to compile and run a model: extra layer providers, whether to discover providers with
 * {@link java.util.ServiceLoader}, and how many threads one prediction splits its work over (default: every core,
 * on a shared pool of daemon threads; work too small to gain from another thread stays on the calling thread), and
 * whether layer outputs reuse the arrays of earlier outputs (default: yes; see {@link Builder#reuseBuffers}).
 */
public final class RuntimeOptions {
    private final List<LayerProvider> providers;
    private final boolean discoverProviders;
    private final Executor executor;
    private final int parallelism;
    private final long minWorkPerChunk;
    private final boolean reuseBuffers;

    private RuntimeOptions(Builder b) {
        this.reuseBuffers = b.reuseBuffers;
        this.minWorkPerChunk = b.minWorkPerChunk;
        this.providers = List.copyOf(b.providers);
        this.discoverProviders = b.discoverProviders;
        this.executor = b.executor;
        this.parallelism = b.parallelism;
    }

    public static RuntimeOptions defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    public List<LayerProvider> providers() { return providers; }

    public boolean discoverProviders() { return discoverProviders; }

    /** Where a prediction's chunks run; {@code null}: each prediction runs on the calling thread alone. */
    public Executor executor() { return executor != null || parallelism < 2 ? executor : SharedPool.get(); }

    /** How many chunks one prediction's work splits into at most. */
    public int parallelism() { return parallelism; }

    long minWorkPerChunk() { return minWorkPerChunk; }

    /** Whether predictions take layer outputs from a {@link io.keras4j.runtime.spi.BufferArena}. */
    public boolean reuseBuffers() { return reuseBuffers; }

    /**
     * Daemon worker threads shared by every model that does not bring its own executor, created on first use:
     * nothing to close. They poll briefly between tasks ({@link SpinningPool}), park after, and end after a minute
     * without work. One fewer than the cores, as OpenMP's workers beside its master thread: the calling thread
     * works too, and polling workers beyond the free cores take time from it. With as many workers as cores, a
     * task posted in the instant a worker was finishing its last one started a second worker on the 2-core
     * machine; from then on three threads shared two cores and the MLP at batch 32 took 286 us instead of 108.
     */
    private static final class SharedPool {
        private static final SpinningPool POOL = new SpinningPool(Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
                SpinningPool.SPIN_NANOS, SpinningPool.IDLE_EXIT_NANOS, "keras4j-worker");

        static Executor get() { return POOL; }
    }

    public static final class Builder {
        private final List<LayerProvider> providers = new ArrayList<>();
        private boolean discoverProviders = true;
        private Executor executor;
        private int parallelism = Runtime.getRuntime().availableProcessors();
        private long minWorkPerChunk = io.keras4j.runtime.spi.CallContext.MIN_WORK_PER_CHUNK;
        private boolean reuseBuffers = true;

        /** For tests: split work into chunks even when they are too small to gain from it. */
        Builder minWorkPerChunk(long work) { this.minWorkPerChunk = work; return this; }

        /** A provider asked before discovered and built-in ones. */
        public Builder provider(LayerProvider provider) { providers.add(provider); return this; }

        public Builder discoverProviders(boolean discover) { this.discoverProviders = discover; return this; }

        /** Splits a prediction's work over up to {@code threads} threads of the shared pool; 1: the calling thread only. */
        public Builder threads(int threads) {
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            this.executor = null;
            this.parallelism = threads;
            return this;
        }

        /** Splits a prediction's work into up to {@code parallelism} chunks run on {@code executor}. */
        public Builder executor(Executor executor, int parallelism) {
            if (parallelism < 1) throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
            this.executor = executor;
            this.parallelism = parallelism;
            return this;
        }

        /**
         * Whether a prediction takes its layers' output arrays from those of earlier outputs no layer reads any more,
         * in this call and the previous ones, instead of allocating them. On (the default), a model keeps about one
         * call's intermediate arrays between calls (held softly: the collector may take them back when memory runs
         * short); off, every output is a fresh array and nothing is kept. Results are the same either way.
         */
        public Builder reuseBuffers(boolean reuse) { this.reuseBuffers = reuse; return this; }

        public RuntimeOptions build() { return new RuntimeOptions(this); }
    }
}
