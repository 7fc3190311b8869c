package io.keras4j.benchmarks;

import io.keras4j.runtime.RuntimeOptions;
import io.keras4j.runtime.spi.CallContext;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What handing a chunk to the shared pool costs: {@code CallContext.parallelFor} over two chunks of
 * {@code chunkMicros} of busy work each, after {@code gapMicros} in which the pool had nothing to do (outside the
 * timed part). On {@code threads} = 2 a call takes {@code chunkMicros} when the second chunk starts at once and
 * twice that when the calling thread ends up running both; on 1 it is always twice. Short gaps find the worker still
 * polling, long ones parked.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class HandOffBenchmark {
    @Param({"2", "5", "20"})
    public int chunkMicros;

    @Param({"10", "3000"})
    public int gapMicros;

    @Param({"1", "2"})
    public int threads;

    private CallContext ctx;

    @Setup(Level.Trial)
    public void setUp() {
        RuntimeOptions options = RuntimeOptions.builder().threads(threads).build();
        ctx = new CallContext(options.executor(), options.parallelism(), 1);
    }

    /** The idle time before each call (a per-invocation setup, so JMH leaves it out of the timing). */
    @Setup(Level.Invocation)
    public void idle() { busy(gapMicros * 1000L); }

    @Benchmark
    public void split() {
        long nanos = chunkMicros * 1000L;
        ctx.parallelFor(2, 1, (from, to) -> { for (int i = from; i < to; i++) busy(nanos); });
    }

    private static void busy(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) Thread.onSpinWait();
    }
}
