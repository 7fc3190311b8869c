package io.keras4j.runtime;

import io.keras4j.runtime.spi.LayerProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * How to compile and run a model: extra layer providers, whether to discover providers with
 * {@link java.util.ServiceLoader}, and an optional executor over which one prediction splits its batch work.
 */
public final class RuntimeOptions {
    private final List<LayerProvider> providers;
    private final boolean discoverProviders;
    private final Executor executor;
    private final int parallelism;

    private RuntimeOptions(Builder b) {
        this.providers = List.copyOf(b.providers);
        this.discoverProviders = b.discoverProviders;
        this.executor = b.executor;
        this.parallelism = b.parallelism;
    }

    public static RuntimeOptions defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    public List<LayerProvider> providers() { return providers; }

    public boolean discoverProviders() { return discoverProviders; }

    /** {@code null}: each prediction runs on the calling thread. */
    public Executor executor() { return executor; }

    public int parallelism() { return parallelism; }

    public static final class Builder {
        private final List<LayerProvider> providers = new ArrayList<>();
        private boolean discoverProviders = true;
        private Executor executor;
        private int parallelism = 1;

        /** A provider asked before discovered and built-in ones. */
        public Builder provider(LayerProvider provider) { providers.add(provider); return this; }

        public Builder discoverProviders(boolean discover) { this.discoverProviders = discover; return this; }

        /** Splits a prediction's work into up to {@code parallelism} chunks run on {@code executor}. */
        public Builder executor(Executor executor, int parallelism) {
            if (parallelism < 1) throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
            this.executor = executor;
            this.parallelism = parallelism;
            return this;
        }

        public RuntimeOptions build() { return new RuntimeOptions(this); }
    }
}
