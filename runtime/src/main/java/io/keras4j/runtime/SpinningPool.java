package io.keras4j.runtime;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The shared pool's daemon workers. After each task a worker keeps polling for the next one for {@link #SPIN_NANOS}
 * before it parks. One prediction hands its layers' chunks to the pool one layer after another, often tens of
 * microseconds apart, and waking a parked thread takes about as long (a futex wake, then the scheduler): the
 * ForkJoinPool this replaced woke its worker after the calling thread had done most of a small layer alone, so two
 * threads gained nothing on the MLP at batch 32 and lost on the LSTM at batch 1. OpenMP runtimes and TensorFlow's
 * Eigen pool keep their workers spinning between parallel regions for the same reason.
 *
 * <p>A task is only ever a {@code CallContext} job, whose calling thread takes every chunk no worker has claimed:
 * a worker that wakes late, or not at all, costs time, never a result. Workers start when tasks first need them and
 * end after {@link #IDLE_EXIT_NANOS} parked without work, so an application that stops predicting (or a container
 * that unloads keras4j) is left no threads.
 */
final class SpinningPool implements Executor {
    /**
     * How long an idle worker polls before it parks: long enough to span the gaps between a prediction's split
     * layers (the LSTM at batch 1 runs its 80 steps on one thread for 0.4 ms between two calls' input
     * projections; with 0.3 ms the worker had parked each time, and the projection's split gained nothing), short
     * enough that a worker between predictions gives its core back soon. OpenMP runtimes poll 0.2 s by default.
     */
    static final long SPIN_NANOS = 1_000_000;
    /** How long a parked worker waits for work before its thread ends. */
    static final long IDLE_EXIT_NANOS = 60_000_000_000L;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Tasks offered and not yet taken. */
    private final AtomicInteger pending = new AtomicInteger();
    /** Workers polling for a task (not running one, not parked). */
    private final AtomicInteger spinning = new AtomicInteger();
    /** Worker slots: null until a worker is first needed, and again once it ended idle. */
    private final AtomicReferenceArray<Worker> workers;
    private final long spinNanos;
    private final long idleExitNanos;
    private final String name;

    SpinningPool(int threads, long spinNanos, long idleExitNanos, String name) {
        this.workers = new AtomicReferenceArray<>(Math.max(1, threads));
        this.spinNanos = spinNanos;
        this.idleExitNanos = idleExitNanos;
        this.name = name;
    }

    @Override
    public void execute(Runnable task) {
        tasks.offer(task);
        // Wake (or start) a worker only when the polling ones cannot take every waiting task: a needless wake leaves
        // one more thread polling than there are tasks, competing for the cores with the caller.
        if (pending.incrementAndGet() > spinning.get() && !wakeOne()) startOne();
    }

    /** How many workers are parked now (for tests). */
    int parkedWorkers() {
        int parked = 0;
        for (int i = 0; i < workers.length(); i++) {
            Worker w = workers.get(i);
            if (w != null && w.parked.get()) parked++;
        }
        return parked;
    }

    /** How many worker threads exist now (for tests). */
    int liveWorkers() {
        int live = 0;
        for (int i = 0; i < workers.length(); i++) if (workers.get(i) != null) live++;
        return live;
    }

    private boolean wakeOne() {
        for (int i = 0; i < workers.length(); i++) {
            Worker w = workers.get(i);
            if (w != null && w.parked.compareAndSet(true, false)) {
                LockSupport.unpark(w.thread);
                return true;
            }
        }
        return false;
    }

    private void startOne() {
        for (int i = 0; i < workers.length(); i++) {
            if (workers.get(i) != null) continue;
            Worker w = new Worker(i);
            if (workers.compareAndSet(i, null, w)) {
                spinning.incrementAndGet(); // counted before it runs, so the next task does not start another
                w.thread.start();
                return;
            }
        }
    }

    private Runnable take() {
        Runnable task = tasks.poll();
        if (task != null) pending.decrementAndGet();
        return task;
    }

    private final class Worker implements Runnable {
        final int slot;
        final Thread thread;
        /** Set by the worker before it parks; cleared by whoever wakes it (or by itself when it wakes on its own). */
        final AtomicBoolean parked = new AtomicBoolean();

        Worker(int slot) {
            this.slot = slot;
            this.thread = new Thread(this, name + "-" + (slot + 1));
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (true) {
                Runnable task = take();
                if (task != null) {
                    spinning.decrementAndGet();
                    runQuietly(task);
                    spinning.incrementAndGet();
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < spinNanos) {
                    Thread.onSpinWait();
                } else {
                    // Publish "parked" before the last look at the queue: a task offered after that look finds the
                    // flag set and unparks this thread, so none is left waiting for a worker that sleeps.
                    parked.set(true);
                    spinning.decrementAndGet();
                    long parkedAt = System.nanoTime();
                    if (tasks.isEmpty()) LockSupport.parkNanos(this, idleExitNanos);
                    boolean unclaimed = parked.compareAndSet(true, false);
                    // End when nobody woke it (the flag is still its own) and it waited its full time, or when it was
                    // interrupted (a container stopping threads; park would not block again). A task offered
                    // meanwhile found no parked worker to wake; its calling thread runs every chunk itself.
                    if (Thread.interrupted() || unclaimed && tasks.isEmpty() && System.nanoTime() - parkedAt >= idleExitNanos) {
                        workers.set(slot, null);
                        return;
                    }
                    parked.set(false);
                    spinning.incrementAndGet();
                    idleSince = System.nanoTime();
                }
            }
        }

        private void runQuietly(Runnable task) {
            try {
                task.run();
            } catch (Throwable t) {
                // Jobs keep their own failures for the calling thread; anything else must not end the worker.
                Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
                if (handler != null) handler.uncaughtException(thread, t);
            }
        }
    }
}
