package io.keras4j.runtime;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * a worker that wakes late, or not at all, costs time, never a result. Workers start on first use and never end
 * (parked, they cost nothing).
 */
final class SpinningPool implements Executor {
    /**
     * How long an idle worker polls before it parks: long enough to span the gaps between a prediction's split
     * layers (the LSTM at batch 1 runs its 80 steps on one thread for 0.4 ms between two calls' input
     * projections; with 0.3 ms the worker had parked each time, and the projection's split gained nothing), short
     * enough that a worker between predictions gives its core back soon. OpenMP runtimes poll 0.2 s by default.
     */
    static final long SPIN_NANOS = 1_000_000;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Tasks offered and not yet taken. */
    private final AtomicInteger pending = new AtomicInteger();
    /** Workers polling for a task (not running one, not parked). */
    private final AtomicInteger spinning = new AtomicInteger();
    private final Worker[] workers;
    private final long spinNanos;

    SpinningPool(int threads, long spinNanos, String name) {
        this.spinNanos = spinNanos;
        this.workers = new Worker[Math.max(1, threads)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(name + "-" + (i + 1));
            workers[i].thread.start();
        }
    }

    @Override
    public void execute(Runnable task) {
        tasks.offer(task);
        // Wake a parked worker only when the spinning ones cannot take every waiting task: a needless wake leaves
        // one more thread spinning than there are tasks, competing for the cores with the caller.
        if (pending.incrementAndGet() > spinning.get()) wakeOne();
    }

    /** How many workers are parked now (for tests). */
    int parkedWorkers() {
        int parked = 0;
        for (Worker w : workers) if (w.parked.get()) parked++;
        return parked;
    }

    private void wakeOne() {
        for (Worker w : workers) {
            if (w.parked.compareAndSet(true, false)) {
                LockSupport.unpark(w.thread);
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
        final Thread thread;
        /** Set by the worker before it parks; cleared by whoever wakes it (or by itself when work came first). */
        final AtomicBoolean parked = new AtomicBoolean();

        Worker(String name) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            spinning.incrementAndGet();
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
                    if (tasks.isEmpty()) {
                        LockSupport.park(this);
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
