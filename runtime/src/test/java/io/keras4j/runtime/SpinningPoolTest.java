package io.keras4j.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.keras4j.runtime.spi.CallContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SpinningPoolTest {
    @Test
    void everyTaskRunsWhetherTheWorkersSpinOrSleep() throws Exception {
        SpinningPool pool = new SpinningPool(3, 1_000_000, SpinningPool.IDLE_EXIT_NANOS, "test-spin");
        for (int round = 0; round < 200; round++) {
            // A burst while workers spin, then, every 50 rounds, a pause long enough that all of them park.
            int tasks = 1 + round % 5;
            CountDownLatch done = new CountDownLatch(tasks);
            for (int i = 0; i < tasks; i++) pool.execute(done::countDown);
            assertThat(done.await(10, TimeUnit.SECONDS)).as("round %d: every task ran", round).isTrue();
            if (round % 50 == 49) awaitAllParked(pool);
        }
    }

    @Test
    void parkedWorkersWakeForNewTasksAndSeveralTakePartInOneJob() throws Exception {
        SpinningPool pool = new SpinningPool(2, 0, SpinningPool.IDLE_EXIT_NANOS, "test-nospin");
        // First the two workers start for the tasks; the second time they are parked (no polling at all), and each
        // task must reach one by an unpark.
        for (int round = 0; round < 2; round++) {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            CountDownLatch started = new CountDownLatch(2);
            CountDownLatch release = new CountDownLatch(1);
            for (int i = 0; i < 2; i++) {
                pool.execute(() -> {
                    threads.add(Thread.currentThread().getName());
                    started.countDown();
                    try { release.await(); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
                });
            }
            assertThat(started.await(10, TimeUnit.SECONDS)).as("round %d: both tasks started at once, on two workers", round).isTrue();
            release.countDown();
            assertThat(threads).hasSize(2);
            awaitAllParked(pool);
            assertThat(pool.liveWorkers()).isEqualTo(2);
        }
    }

    @Test
    void idleWorkersEndAndNewOnesStartWhenWorkComesBack() throws Exception {
        SpinningPool pool = new SpinningPool(2, 0, TimeUnit.MILLISECONDS.toNanos(50), "test-idle");
        for (int round = 0; round < 2; round++) {
            CountDownLatch ran = new CountDownLatch(1);
            pool.execute(ran::countDown);
            assertThat(ran.await(10, TimeUnit.SECONDS)).as("round %d: the task ran", round).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.liveWorkers() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(pool.liveWorkers()).as("round %d: the idle worker ended", round).isZero();
        }
    }

    /** Without this, park returns at once for an interrupted thread and the worker would poll forever. */
    @Test
    void anInterruptedWorkerEndsAndTheNextTaskStartsAnother() throws Exception {
        SpinningPool pool = new SpinningPool(1, 0, SpinningPool.IDLE_EXIT_NANOS, "test-interrupt");
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        awaitAllParked(pool);
        Thread worker = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("test-interrupt-1")).findFirst().orElseThrow();
        worker.interrupt();
        worker.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(worker.isAlive()).as("the interrupted worker ended").isFalse();
        assertThat(pool.liveWorkers()).isZero();
        CountDownLatch again = new CountDownLatch(1);
        pool.execute(again::countDown);
        assertThat(again.await(10, TimeUnit.SECONDS)).as("a new worker ran the next task").isTrue();
    }

    @Test
    void aFailingTaskDoesNotEndItsWorker() throws Exception {
        SpinningPool pool = new SpinningPool(1, 100_000, SpinningPool.IDLE_EXIT_NANOS, "test-fail");
        pool.execute(() -> { throw new IllegalStateException("expected by the test"); });
        CountDownLatch after = new CountDownLatch(1);
        pool.execute(after::countDown);
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void callContextSumsMatchOneThreadOnThePool() {
        SpinningPool pool = new SpinningPool(2, SpinningPool.SPIN_NANOS, SpinningPool.IDLE_EXIT_NANOS, "test-ctx");
        CallContext ctx = new CallContext(pool, 3, 1);
        for (int n = 1; n < 300; n += 7) {
            AtomicLong sum = new AtomicLong();
            AtomicInteger items = new AtomicInteger();
            ctx.parallelFor(n, 1, (from, to) -> {
                for (int i = from; i < to; i++) { sum.addAndGet(i); items.incrementAndGet(); }
            });
            assertThat(items.get()).as("n=%d: each item once", n).isEqualTo(n);
            assertThat(sum.get()).isEqualTo((long) n * (n - 1) / 2);
        }
    }

    private static void awaitAllParked(SpinningPool pool) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.parkedWorkers() < pool.liveWorkers() && System.nanoTime() < deadline) Thread.sleep(5);
        assertThat(pool.liveWorkers()).as("some worker ran the tasks").isPositive();
        assertThat(pool.parkedWorkers()).as("workers park once they have polled long enough").isEqualTo(pool.liveWorkers());
    }
}
