package io.keras4j.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The arena lends an array again only once every slot that held it has let go, and never an array a call returned. */
class BufferArenaTest {
    @Test
    void anArrayIsReusedOnlyAfterItsLastHolderReleasesIt() {
        BufferArena arena = new BufferArena();
        float[] a = arena.take(8);
        arena.retain(a); // the slot of the layer that produced it
        arena.retain(a); // a reshaped view of it in another slot
        arena.release(a);
        assertThat(arena.take(8)).as("one slot still holds it").isNotSameAs(a);
        arena.release(a);
        assertThat(arena.take(8)).as("no slot holds it").isSameAs(a);
    }

    @Test
    void arraysItDidNotLendAreNeverTaken() {
        BufferArena arena = new BufferArena();
        float[] input = new float[8];
        arena.retain(input);
        arena.release(input);
        assertThat(arena.freeArrays()).isZero();
        assertThat(arena.take(8)).isNotSameAs(input);
    }

    @Test
    void aFinishedCallForgetsWhatItLentSoReturnedOutputsStayTheCallers() {
        BufferArena arena = new BufferArena();
        float[] output = arena.take(8);
        arena.retain(output);
        arena.finishCall();
        arena.release(output); // a holder of the finished call: no longer the arena's business
        assertThat(arena.freeArrays()).isZero();
    }

    @Test
    void lengthsTheLastCallDidNotAskForAreDropped() {
        BufferArena arena = new BufferArena();
        float[] a = arena.take(8), b = arena.take(16);
        arena.retain(a);
        arena.retain(b);
        arena.release(a);
        arena.release(b);
        arena.finishCall();
        assertThat(arena.freeArrays()).isEqualTo(2);
        assertThat(arena.take(8)).isSameAs(a);
        arena.finishCall();
        assertThat(arena.freeArrays()).as("16 was not asked for in the last call").isZero();
    }

    @Test
    void zeroedBuffersAreZeroAndPoisonedOnesAreNaN() {
        BufferArena arena = BufferArena.poisoning();
        float[] a = arena.take(4);
        assertThat(a).containsOnly(Float.NaN);
        arena.retain(a);
        arena.release(a);
        float[] z = arena.takeZeroed(4);
        assertThat(z).isSameAs(a).containsOnly(0f);
        assertThat(arena.arraysCreated()).isEqualTo(1);
    }
}
