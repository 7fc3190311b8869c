package io.keras4j.benchmarks;

import io.keras4j.runtime.math.Gemm;
import io.keras4j.runtime.math.PackedMatrix;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
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
 * The runtime's matrix kernel in GFLOP/s beside this core's measured peak: {@code peakFma} runs independent chains
 * of Vector API fused multiply-adds (no memory traffic), so {@code gemm / peakFma} is the fraction of the core the
 * kernel reaches. Both report operations per second (JMH's throughput); GFLOP/s = ops/s x flops per op / 1e9, where
 * a gemm op is {@code 2 * size^3} flops and a peakFma op is {@code 2 * 8 * lanes * 1024}. {@code gemm} is the
 * general {@code multiplyAdd} (attention, recurrent steps); {@code packedGemm} is {@code Gemm.multiply} on a matrix
 * packed once, as Dense and convolution layers run it (bias and ReLU in the epilogue).
 * For the scalar fallback: {@code -jvmArgsAppend "--add-modules=jdk.incubator.vector -Dkeras4j.vector=false"} (the
 * option replaces the fork's arguments, and peakFma itself needs the module).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GemmBenchmark {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Param({"64", "256", "1024"})
    public int size;

    private float[] a;
    private float[] b;
    private float[] c;
    private float[] bias;
    private PackedMatrix packed;

    @Setup(Level.Trial)
    public void setUp() {
        Random r = new Random(1);
        a = new float[size * size];
        b = new float[size * size];
        c = new float[size * size];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat();
            b[i] = r.nextFloat();
        }
        bias = new float[size];
        packed = PackedMatrix.of(b, size, size);
        System.out.println("\nkernel: " + Gemm.kernel() + "; flops per gemm op: " + 2.0 * size * size * size
                + "; flops per peakFma op: " + 2 * 8 * S.length() * 1024);
    }

    @Benchmark
    public float[] gemm() {
        Gemm.multiplyAdd(size, size, size, a, 0, size, b, 0, size, c, 0, size);
        return c;
    }

    @Benchmark
    public float[] packedGemm() {
        Gemm.multiply(size, a, 0, size, packed, bias, 0f, Float.POSITIVE_INFINITY, c, 0, size);
        return c;
    }

    /** Eight independent FMA chains hide the FMA latency; 1024 steps per op. */
    @Benchmark
    public float peakFma() {
        FloatVector x = FloatVector.broadcast(S, 1.0001f);
        FloatVector y = FloatVector.broadcast(S, 0.9999f);
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
        for (int i = 0; i < 1024; i++) {
            s0 = x.fma(y, s0);
            s1 = x.fma(y, s1);
            s2 = x.fma(y, s2);
            s3 = x.fma(y, s3);
            s4 = x.fma(y, s4);
            s5 = x.fma(y, s5);
            s6 = x.fma(y, s6);
            s7 = x.fma(y, s7);
        }
        return s0.add(s1).add(s2).add(s3).add(s4).add(s5).add(s6).add(s7).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
