package io.keras4j.tfgraph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keras4j.tf.proto.AttrValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** TextVectorization's string and ragged kernels against Java's own definitions; TensorFlow is GraphMiscOpsTest's. */
class TextOpsTest {
    private static final String[] TEXT = {" The  cat\tsat ", "", "   ", "a,b,,c", "x"};

    private static Val strings(String... s) {
        return new Val(DTypes.STRING, new int[] {s.length}, Arrays.stream(s).map(x -> x.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new));
    }

    private static List<List<String>> rows(Val[] sparse, int n) {
        List<List<String>> rows = new ArrayList<>();
        for (int r = 0; r < n; r++) rows.add(new ArrayList<>());
        for (int k = 0; k < sparse[1].size(); k++) {
            int row = (int) sparse[0].l()[2 * k];
            assertThat(sparse[0].l()[2 * k + 1]).as("column of token %d", k).isEqualTo(rows.get(row).size());
            rows.get(row).add(new String(sparse[1].s()[k], StandardCharsets.UTF_8));
        }
        return rows;
    }

    @Test
    void splittingOnWhitespaceDropsEmptyTokensAndOnASeparatorKeepsThem() {
        List<List<String>> spaces = rows(TextOps.split(strings(TEXT), strings(""), -1), TEXT.length);
        List<List<String>> commas = rows(TextOps.split(strings(TEXT), strings(","), -1), TEXT.length);
        for (int k = 0; k < TEXT.length; k++) {
            List<String> words = TEXT[k].isBlank() ? List.of() : List.of(TEXT[k].trim().split("\\s+"));
            assertThat(spaces.get(k)).as("whitespace split of '%s'", TEXT[k]).isEqualTo(words);
            assertThat(commas.get(k)).as("comma split of '%s'", TEXT[k]).isEqualTo(List.of(TEXT[k].split(Pattern.quote(","), -1)));
        }
        Val[] sparse = TextOps.split(strings(TEXT), strings(""), -1);
        assertThat(sparse[2].l()).containsExactly(TEXT.length, 3);
        assertThat(rows(TextOps.split(strings("a b  c "), strings(""), 1), 1).get(0)).containsExactly("a", "b  c ");
    }

    @Test
    void lowerWithoutEncodingTouchesOnlyAsciiLetters() {
        Val v = TextOps.lower(strings("ÉtÉ ABC xyZ"), "");
        assertThat(new String(v.s()[0], StandardCharsets.UTF_8)).isEqualTo("ÉtÉ abc xyz");
        assertThat(new String(TextOps.lower(strings("ÉtÉ"), "utf-8").s()[0], StandardCharsets.UTF_8)).isEqualTo("été");
        assertThatThrownBy(() -> TextOps.lower(strings("a"), "latin-1")).isInstanceOf(GraphException.class).hasMessageContaining("latin-1");
    }

    @Test
    void regexReplaceTurnsRe2GroupReferencesIntoJavasAndKeepsDollarsLiteral() {
        Val v = TextOps.regexReplace(strings("cat bat"), "(\\w)(a)", "\\2$\\1", true);
        assertThat(new String(v.s()[0], StandardCharsets.UTF_8)).isEqualTo("a$ct a$bt");
        Val first = TextOps.regexReplace(strings("cat bat"), "a", "_", false);
        assertThat(new String(first.s()[0], StandardCharsets.UTF_8)).isEqualTo("c_t bat");
        assertThatThrownBy(() -> TextOps.regexReplace(strings("a"), "(", "", true)).isInstanceOf(GraphException.class).hasMessageContaining("pattern");
    }

    @Test
    void raggedToTensorPadsTruncatesAndTakesTheLongestRowWhenAsked() {
        long[] splits = {0, 3, 3, 4};
        long[] values = {5, 6, 7, 8};
        for (long[] shape : new long[][] {{-1, -1}, {2, 2}, {4, 5}}) {
            Val out = Kernels.run("RaggedTensorToTensor", Map.of("row_partition_types",
                    AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addS(com.google.protobuf.ByteString.copyFromUtf8("ROW_SPLITS"))).build()),
                    Val.longs(shape, 2), Val.longs(values, 4), Val.longs(new long[] {-1}), Val.longs(splits, 4));
            int rows = shape[0] < 0 ? 3 : (int) shape[0], cols = shape[1] < 0 ? 3 : (int) shape[1];
            assertThat(out.shape).containsExactly(rows, cols);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    long want = r < 3 && splits[r] + c < splits[r + 1] ? values[(int) (splits[r] + c)] : -1;
                    assertThat(out.l()[r * cols + c]).as("[%d][%d] for shape %s", r, c, Arrays.toString(shape)).isEqualTo(want);
                }
            }
        }
    }

    @Test
    void raggedBincountCountsPerRowBelowTheSize() {
        Val out = TextOps.raggedBincount(Val.longs(new long[] {0, 3, 5}, 3), Val.longs(new long[] {1, 1, 4, 0, 9}, 5),
                Val.longs(new long[] {5}), Val.longs(new long[0], 0), false);
        assertThat(out.shape).containsExactly(2, 5);
        assertThat(out.l()).containsExactly(0, 2, 0, 0, 1, 1, 0, 0, 0, 0);
        assertThatThrownBy(() -> TextOps.raggedBincount(Val.longs(new long[] {0, 2}, 2), Val.longs(new long[] {1}, 1),
                Val.longs(new long[] {5}), Val.longs(new long[0], 0), false)).isInstanceOf(GraphException.class).hasMessageContaining("end at the 1 values");
    }

    @Test
    void unicodeDecodeGivesJavasCodePointsForValidTextAndOneReplacementPerMaximalBadSubpart() {
        String[] text = {"héllo", "", "中文 \uD83D\uDE00"};
        Val[] d = TextOps.unicodeDecode(strings(text), "UTF-8", "replace", 0xFFFD, false, DTypes.INT64);
        int at = 0;
        for (int k = 0; k < text.length; k++) {
            int[] want = text[k].codePoints().toArray();
            assertThat(d[0].l()[k]).isEqualTo(at);
            assertThat(Arrays.copyOfRange(d[1].i(), at, at + want.length)).isEqualTo(want);
            at += want.length;
        }
        assertThat(new String(TextOps.unicodeEncode(d[1], d[0], "UTF-8", "replace", 0xFFFD).s()[2], StandardCharsets.UTF_8)).isEqualTo(text[2]);
        // ED A0 80 encodes a surrogate: ED cannot be followed by A0, so each of the three bytes is its own bad subpart.
        Val bad = new Val(DTypes.STRING, new int[] {1}, new byte[][] {{'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xE2, (byte) 0x82}});
        assertThat(TextOps.unicodeDecode(bad, "UTF-8", "replace", '?', false, DTypes.INT64)[1].i()).containsExactly('a', '?', '?', '?', '?');
        assertThat(TextOps.unicodeDecode(bad, "UTF-8", "ignore", '?', false, DTypes.INT64)[1].i()).containsExactly('a');
        assertThatThrownBy(() -> TextOps.unicodeDecode(bad, "UTF-8", "strict", '?', false, DTypes.INT64))
                .isInstanceOf(GraphException.class).hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> TextOps.unicodeEncode(Val.ints(new int[] {0xD800}, 1), Val.longs(new long[] {0, 1}, 2), "UTF-8", "strict", '?'))
                .isInstanceOf(GraphException.class).hasMessageContaining("not a code point");
    }
}
