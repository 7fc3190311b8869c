package io.keras4j.tfgraph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The parts of the random kernels that can go wrong quietly: counter arithmetic, the group layout of truncated
 * normals, the integer reduction, glibc's float functions, the algorithm check. Bit-exactness against TensorFlow
 * itself is GraphRandomOpsTest's (it-tests).
 */
class RandomOpsTest {
    private static final Val KEY = new Val(DTypes.UINT64, new int[] {1}, new long[] {0x0123456789ABCDEFL});
    private static final Val COUNTER = new Val(DTypes.UINT64, new int[] {2}, new long[] {-3L, 77L});
    private static final Val PHILOX = Val.scalarInt(RandomOps.ALG_PHILOX);

    @Test
    void skippingEqualsDrawingThatManyTimesAcrossCounterWordCarries() {
        // The counter's low 64 bits are 3 short of wrapping: the fifth call must carry into the upper words.
        Philox drawn = new Philox(KEY.l()[0], -3L, 77L);
        for (int k = 0; k < 5; k++) drawn.next();
        Philox skipped = new Philox(KEY.l()[0], -3L, 77L);
        skipped.skip(5);
        assertThat(skipped.counterLo()).isEqualTo(2L);
        assertThat(skipped.counterHi()).isEqualTo(78L);
        assertThat(skipped.next()).isEqualTo(drawn.next());
    }

    @Test
    void theSameKeyAndCounterGiveTheSameNumbersAndADifferentCounterOthers() {
        Val a = uniform(DTypes.FLOAT, COUNTER);
        Val b = uniform(DTypes.FLOAT, COUNTER);
        Val c = uniform(DTypes.FLOAT, new Val(DTypes.UINT64, new int[] {2}, new long[] {-2L, 77L}));
        assertThat(a.f()).isEqualTo(b.f()).isNotEqualTo(c.f());
        for (float v : a.f()) assertThat(v).isBetween(0f, 1f).isNotEqualTo(1f);
    }

    @Test
    void uniformFloatsAreTheLow23BitsOfEachWordAndLaterCallsFollowOn() {
        Val u = uniform(DTypes.FLOAT, COUNTER);
        Philox gen = new Philox(KEY.l()[0], -3L, 77L);
        for (int k = 0; k < u.size(); k += 4) {
            int[] words = gen.next();
            for (int j = 0; j < 4 && k + j < u.size(); j++) assertThat(u.f()[k + j]).isEqualTo((words[j] & 0x7FFFFF) / (float) (1 << 23));
        }
    }

    @Test
    void boundedIntegersAreLowPlusTheWordModuloTheRange() {
        Val ints = Kernels.run("StatelessRandomUniformIntV2", Map.of("dtype", Kernels.type(DTypes.INT32)),
                Val.ints(new int[] {3, 5}, 2), KEY, COUNTER, PHILOX, Val.scalarInt(-5), Val.scalarInt(17));
        Val words = Kernels.run("StatelessRandomUniformFullIntV2", Map.of("dtype", Kernels.type(DTypes.UINT32)),
                Val.ints(new int[] {3, 5}, 2), KEY, COUNTER, PHILOX);
        for (int k = 0; k < 15; k++) assertThat(ints.i()[k]).isEqualTo(-5 + (int) (words.l()[k] % 22));
        assertThatThrownBy(() -> Kernels.run("StatelessRandomUniformIntV2", Map.of("dtype", Kernels.type(DTypes.INT32)),
                Val.ints(new int[] {2}, 1), KEY, COUNTER, PHILOX, Val.scalarInt(4), Val.scalarInt(4)))
                .isInstanceOf(GraphException.class).hasMessageContaining("minval < maxval");
    }

    @Test
    void truncatedNormalsStayWithinTwoAndEachGroupOfFourHasItsOwn256Calls() {
        Val shape = Val.ints(new int[] {4001}, 1);
        Val t = Kernels.run("StatelessTruncatedNormalV2", Map.of("dtype", Kernels.type(DTypes.FLOAT)), shape, KEY, COUNTER, PHILOX);
        for (float v : t.f()) assertThat(Math.abs(v)).isLessThan(2f);
        // Group 7 alone, drawn from a generator skipped 7 * 256 calls ahead, must be elements 28..31.
        Philox gen = new Philox(KEY.l()[0], -3L, 77L);
        gen.skip(7 * 256);
        Val group = Kernels.run("StatelessTruncatedNormalV2", Map.of("dtype", Kernels.type(DTypes.FLOAT)), Val.ints(new int[] {4}, 1), KEY,
                new Val(DTypes.UINT64, new int[] {2}, new long[] {gen.counterLo(), gen.counterHi()}), PHILOX);
        assertThat(group.f()).containsExactly(t.f()[28], t.f()[29], t.f()[30], t.f()[31]);
    }

    @Test
    void normalsArePairsOfBoxMullerSinesAndCosinesOfTheSameRadius() {
        Val n = Kernels.run("StatelessRandomNormalV2", Map.of("dtype", Kernels.type(DTypes.FLOAT)), Val.ints(new int[] {64}, 1), KEY, COUNTER, PHILOX);
        Philox gen = new Philox(KEY.l()[0], -3L, 77L);
        for (int k = 0; k < 64; k += 4) {
            int[] w = gen.next();
            for (int j = 0; j < 4; j += 2) {
                double u1 = Math.max(RandomOps.uint32ToFloat(w[j]), 1e-7f), v1 = 2 * Math.PI * RandomOps.uint32ToFloat(w[j + 1]);
                double r = Math.sqrt(-2 * Math.log(u1));
                assertThat((double) n.f()[k + j]).isCloseTo(r * Math.sin(v1), offset(1e-5 * Math.max(1, r)));
                assertThat((double) n.f()[k + j + 1]).isCloseTo(r * Math.cos(v1), offset(1e-5 * Math.max(1, r)));
            }
        }
    }

    @Test
    void glibcsFloatLogAndSincosAreWithinOneUlpOfTheTrueValues() {
        for (int bits = 0x33D6BF95; bits < 0x3F800000; bits += 0x1F3D1) { // 1e-7 up to 1 in irregular steps
            float x = Float.intBitsToFloat(bits);
            assertThat((double) FloatLibm.logf(x)).as("logf(%s)", x).isCloseTo(Math.log(x), offset((double) Math.ulp((float) Math.log(x))));
        }
        for (float y = 0f; y < 6.2832f; y += 0.000731f) {
            float[] sc = FloatLibm.sincosf(y);
            assertThat((double) sc[0]).as("sinf(%s)", y).isCloseTo(Math.sin(y), offset((double) Math.ulp((float) Math.sin(y)) + 1e-45));
            assertThat((double) sc[1]).as("cosf(%s)", y).isCloseTo(Math.cos(y), offset((double) Math.ulp((float) Math.cos(y)) + 1e-45));
        }
        assertThat(FloatLibm.logf(1f)).isZero();
    }

    @Test
    void threeFryAndUnknownAlgorithmsAreRefusedAndAutoSelectIsPhilox() {
        assertThat(Kernels.run("StatelessRandomUniformV2", Map.of(), Val.ints(new int[] {3}, 1), KEY, COUNTER, Val.scalarInt(RandomOps.ALG_AUTO_SELECT)).f())
                .isEqualTo(Kernels.run("StatelessRandomUniformV2", Map.of(), Val.ints(new int[] {3}, 1), KEY, COUNTER, PHILOX).f());
        assertThatThrownBy(() -> Kernels.run("StatelessRandomUniformV2", Map.of(), Val.ints(new int[] {3}, 1), KEY, COUNTER, Val.scalarInt(2)))
                .isInstanceOf(GraphException.class).hasMessageContaining("ThreeFry");
        assertThatThrownBy(() -> Kernels.run("StatelessRandomUniformV2", Map.of(), Val.ints(new int[] {3}, 1), KEY, COUNTER, Val.scalarInt(9)))
                .isInstanceOf(GraphException.class).hasMessageContaining("algorithm id 9");
        assertThatThrownBy(() -> Kernels.run("StatelessRandomUniform", Map.of(), Val.ints(new int[] {3}, 1), Val.longs(new long[] {1, 2, 3}, 3)))
                .isInstanceOf(GraphException.class).hasMessageContaining("seed must have shape [2]");
        assertThatThrownBy(() -> Kernels.run("StatelessRandomUniformV2", Map.of(), Val.ints(new int[] {-3}, 1), KEY, COUNTER, PHILOX))
                .isInstanceOf(GraphException.class).hasMessageContaining("dimension -3");
    }

    @Test
    void readAndSkipReturnsTheOldStateAndMovesTheCounter256CallsPerUnit() {
        Exec.Variable state = new Exec.Variable("rng");
        state.value = Val.longs(new long[] {-1L, 5L, 99L}, 3);
        Val handle = Val.object(DTypes.RESOURCE, state);
        Val old = Kernels.run("RngReadAndSkip", Map.of(), handle, PHILOX, new Val(DTypes.UINT64, new int[0], new long[] {3}));
        assertThat(old.l()).containsExactly(-1L, 5L, 99L);
        assertThat(state.value.l()).containsExactly(767L, 6L, 99L);
    }

    private static Val uniform(int dtype, Val counter) {
        return Kernels.run("StatelessRandomUniformV2", Map.of("dtype", Kernels.type(dtype)), Val.ints(new int[] {2, 5}, 2), KEY, counter, PHILOX);
    }
}
