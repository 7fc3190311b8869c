package io.keras4j.it.jazzer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keras4j.it.fuzz.Readers;
import java.util.function.Consumer;

/**
 * Jazzer fuzz tests of every reader (issue #14), compiled and run only under {@code -Pfuzz} (Jazzer carries native
 * code); each runs 10^6 executions (4 hours at most). The profile copies the committed corpus (src/test/resources/fuzz/READER/) in as each test's seeds. Fuzz one
 * reader at a time (Jazzer fuzzes only the first fuzz test of a run), e.g.
 * {@code mvn -Pfuzz -pl it-tests -am verify -Dtest=ReadersFuzzTest#hdf5 -Dsurefire.failIfNoSpecifiedTests=false};
 * a finding is written to target/ as crash-…: fix it, then add it to the reader's corpus.
 */
class ReadersFuzzTest {
    /** Issue #14: a long run is 10^6 executions per reader. */
    private static final long RUNS = 1_000_000;
    private static final Consumer<byte[]> JSON = Readers.JSON.checker();
    private static final Consumer<byte[]> YAML = Readers.YAML.checker();
    private static final Consumer<byte[]> HDF5 = Readers.HDF5.checker();
    private static final Consumer<byte[]> KERAS = Readers.KERAS.checker();
    private static final Consumer<byte[]> CHECKPOINT_INDEX = Readers.CHECKPOINT_INDEX.checker();
    private static final Consumer<byte[]> CHECKPOINT_DATA = Readers.CHECKPOINT_DATA.checker();
    private static final Consumer<byte[]> SAVEDMODEL = Readers.SAVEDMODEL.checker();
    private static final Consumer<byte[]> NPY = Readers.NPY.checker();

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h") void json(byte[] input) { JSON.accept(input); }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h") void yaml(byte[] input) { YAML.accept(input); }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h") void hdf5(byte[] input) { HDF5.accept(input); }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h") void keras(byte[] input) { KERAS.accept(input); }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h") void checkpoint_index(byte[] input) { CHECKPOINT_INDEX.accept(input); }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h") void checkpoint_data(byte[] input) { CHECKPOINT_DATA.accept(input); }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h") void savedmodel(byte[] input) { SAVEDMODEL.accept(input); }

    @FuzzTest(maxExecutions = RUNS, maxDuration = "4h") void npy(byte[] input) { NPY.accept(input); }
}
