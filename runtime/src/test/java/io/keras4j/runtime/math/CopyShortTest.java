package io.keras4j.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm#copyShort} copies what it is asked in every case (short rows as one vector, rows near the end of
 * either array and long rows by {@code System.arraycopy}) and writes nothing before its destination offset nor past
 * the slack it documents; consecutive copies leave exactly the copied rows, as im2col writes them.
 */
class CopyShortTest {
    @Test
    void copiesRowsAndKeepsToItsSlack() {
        float[] src = new float[100];
        for (int i = 0; i < src.length; i++) src[i] = i + 1;
        for (int length : new int[] {1, 3, 9, 15, 16, 17, 40}) {
            for (int from : new int[] {0, 5, 100 - length}) {
                for (int to : new int[] {0, 7, 60 - length}) {
                    float[] dst = new float[60 + Gemm.COPY_SLACK];
                    Arrays.fill(dst, -1f);
                    Gemm.copyShort(src, from, dst, to, length);
                    for (int i = 0; i < length; i++) assertThat(dst[to + i]).isEqualTo(src[from + i]);
                    for (int i = 0; i < to; i++) assertThat(dst[i]).as("before the destination").isEqualTo(-1f);
                }
            }
        }
    }

    @Test
    void consecutiveRowsLeaveExactlyTheRows() {
        float[] src = new float[64];
        for (int i = 0; i < src.length; i++) src[i] = i;
        float[] dst = new float[5 * 9 + Gemm.COPY_SLACK];
        for (int row = 0; row < 5; row++) Gemm.copyShort(src, row * 3, dst, row * 9, 9);
        for (int row = 0; row < 5; row++) {
            for (int i = 0; i < 9; i++) assertThat(dst[row * 9 + i]).isEqualTo(src[row * 3 + i]);
        }
    }
}
