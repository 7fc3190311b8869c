package io.keras4j.runtime.layers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkerCopiesTest {
    @Test
    void theCallingThreadReadsTheOriginalAndEveryOtherThreadOneCopyOfItsOwn() throws Exception {
        int[] original = {1, 2, 3};
        AtomicInteger sequence = new AtomicInteger();
        WorkerCopies<int[]> copies = new WorkerCopies<>(() -> new int[] {1, 2, 3, sequence.incrementAndGet()});
        Thread caller = Thread.currentThread();
        assertThat(copies.get(caller, original)).isSameAs(original);
        assertThat(copies.made()).isZero();

        ExecutorService one = Executors.newSingleThreadExecutor();
        ExecutorService two = Executors.newSingleThreadExecutor();
        try {
            int[] first = one.submit(() -> copies.get(caller, original)).get();
            assertThat(first).isNotSameAs(original).containsExactly(1, 2, 3, 1);
            assertThat(one.submit(() -> copies.get(caller, original)).get()).as("the same thread's second share").isSameAs(first);
            int[] second = two.submit(() -> copies.get(caller, original)).get();
            assertThat(second).isNotSameAs(first).containsExactly(1, 2, 3, 2);
            assertThat(copies.made()).isEqualTo(2);
        } finally {
            one.shutdownNow();
            two.shutdownNow();
        }
    }
}
