package io.keras4j.benchmarks;

import io.keras4j.runtime.RuntimeOptions;
import io.keras4j.runtime.math.Gemm;
import io.keras4j.runtime.math.PackedMatrix;
import io.keras4j.runtime.spi.CallContext;
import java.util.Random;
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
 * Where splitting one call over a second thread starts to pay: a packed matmul of {@code work} multiply-adds
 * ({@code rows x 128 x 128}, rows = work / 16384) run by {@code CallContext.parallelFor} on {@code threads} threads
 * of the runtime's shared pool, always split (no minimum chunk). The smallest {@code work} at which 2 threads beat
 * 1 is the runtime's {@code CallContext.MIN_WORK_PER_CHUNK}, times two (it is the work per chunk).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class SplitBenchmark {
    private static final int K = 128;
    private static final int N = 128;

    /** Multiply-adds per call: a multiple of 16 rows of 16384. */
    @Param({"262144", "524288", "1048576", "2097152", "4194304"})
    public int work;

    @Param({"1", "2"})
    public int threads;

    private CallContext ctx;
    private PackedMatrix b;
    private float[] a;
    private float[] c;
    private int rows;

    @Setup(Level.Trial)
    public void setUp() {
        rows = work / (K * N);
        Random rnd = new Random(1);
        float[] weights = new float[K * N];
        for (int i = 0; i < weights.length; i++) weights[i] = rnd.nextFloat() - 0.5f;
        b = PackedMatrix.of(weights, K, N);
        a = new float[rows * K];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() - 0.5f;
        c = new float[rows * N];
        RuntimeOptions options = RuntimeOptions.builder().threads(threads).build();
        ctx = new CallContext(options.executor(), options.parallelism(), 1);
        System.out.println("\nkernel: " + Gemm.kernel() + ", rows " + rows);
    }

    @Benchmark
    public float[] split() {
        // Row blocks of 8 (the kernel's register block on AVX-512), as Dense and conv tiles split them.
        ctx.parallelFor(rows / 8, 8L * K * N, (from, to) ->
                Gemm.multiply(8 * (to - from), a, 8 * from * K, K, b, null, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY,
                        c, 8 * from * N, N));
        return c;
    }
}
