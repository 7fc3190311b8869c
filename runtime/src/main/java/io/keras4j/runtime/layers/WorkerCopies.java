package io.keras4j.runtime.layers;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Read-only weights that every thread other than a split call's own reads from a copy of its own, made on that
 * thread's first share and gone with the thread. On the 2-core test machine two cores multiplying 16 rows each by the
 * same packed 784x256 kernel took 56-60 us each, against 47 us for one core alone and 49-51 us when each read a
 * copy (two processes: no slowdown either), so reading the same kernel lines from both cores is what costs there;
 * with a copy per worker the benchmark MLP at batch 32 on two threads went from 85 to 72-77 us (130 us on one).
 * Only for weights a core can keep in its L2 whole, which every share reads in full (a Dense chain's kernels): each
 * copy costs at most that much.
 */
final class WorkerCopies<T> {
    private final ThreadLocal<T> copies;
    private final AtomicInteger made = new AtomicInteger();

    WorkerCopies(Supplier<T> copy) {
        this.copies = ThreadLocal.withInitial(() -> {
            made.incrementAndGet();
            return copy.get();
        });
    }

    /** {@code original} on the thread that made the call, {@code caller}; this thread's own copy on any other. */
    T get(Thread caller, T original) { return Thread.currentThread() == caller ? original : copies.get(); }

    /** How many threads have made a copy (for tests). */
    int made() { return made.get(); }
}
