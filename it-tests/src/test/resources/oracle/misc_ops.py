"""Writes a SavedModel of the graph ops of preprocessing layers, and what TensorFlow computed.

usage: misc_ops.py OUT_DIR

OUT_DIR/misc: serving_default(x: float32[n], ids: int32[2, m]) -> Bucketize, DenseBincount (counts, weights,
binary, rows), TopKV2, Unique, Bitcast, StringToHashBucketFast over strings of every FarmHash length class
(0 to 200 bytes, UTF-8) and of AsString'd numbers. inputs_x.npy, inputs_ids.npy and out_<name>.npy hold
the inputs and TensorFlow's outputs; AsString's outputs, one string per line, are in strings_<name>.txt.
OUT_DIR/lookup: a Keras 3 model.export() of StringLookup and IntegerLookup layers (static hash tables filled by the
init op); lookup_words.txt (one string per line, row-major [4, 3]) and lookup_ids.npy its inputs, and
lookup_out_<name>.npy what TensorFlow's loaded SavedModel gave.
OUT_DIR/text: serving_default(text: string[n]) -> a Keras 3 export of TextVectorization layers (whitespace split;
int, padded int, multi_hot, count; characters) and, in OUT_DIR/strings, the raw string ops (lower, regex replace with groups,
splits on whitespace, on a separator and with maxsplit, densified; UTF-8 decoding, malformed bytes included, and
encoding, invalid code points included); text_input.txt holds the input,
text_out_<name>.npy (the layers), text_ints_<name>.npy and text_strings_<name>.txt (one string per line, row-major;
the raw ops) TensorFlow's outputs.
"""
import os
import sys

import numpy as np
import tensorflow as tf

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

TEXTS = ["", "a", "ab", "abc", "abcd", "héllo", "12345678", "keras4j!", "0123456789abcdef", "x" * 17, "y" * 32,
         "the quick brown fox jumps", "z" * 33, "w" * 64, "v" * 65, "Hashing layers bucket strings by FarmHash " * 3,
         "\u00e9\u4e2d\u6587" * 20, "q" * 200]


class Misc(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x"), tf.TensorSpec([2, None], tf.int32, name="ids")])
    def run(self, x, ids):
        r = {}
        r["bucketize"] = tf.raw_ops.Bucketize(input=x, boundaries=[-1.0, 0.0, 0.5, 0.5, 2.0])
        r["bucketize_int"] = tf.raw_ops.Bucketize(input=ids, boundaries=[1.0, 3.5, 7.0])
        r["bincount"] = tf.raw_ops.DenseBincount(input=ids[0], size=6, weights=tf.constant([], tf.float32))
        r["bincount_weighted"] = tf.raw_ops.DenseBincount(input=ids, size=5, weights=tf.cast(ids, tf.float32) * 0.5 + 1.0)
        r["bincount_binary"] = tf.raw_ops.DenseBincount(input=ids, size=7, weights=tf.constant([], tf.int32), binary_output=True)
        # TensorFlow's top-k order around NaN depends on where the NaN sits; the last element (NaN) is left out.
        finite = x[:-1]
        values, indices = tf.math.top_k(finite, k=4)
        r["topk_values"], r["topk_indices"] = values, indices
        rows = tf.reshape(tf.concat([finite, finite[::-1]], 0), [2, -1])
        r["topk_rows_values"], r["topk_rows_indices"] = tf.math.top_k(rows, k=3)
        r["unique_y"], r["unique_idx"] = tf.unique(ids[0])
        r["bitcast_f32_i32"] = tf.bitcast(x, tf.int32)
        r["bitcast_i32_u8"] = tf.bitcast(ids, tf.uint8)
        r["bitcast_u8_f32"] = tf.bitcast(tf.bitcast(x, tf.uint8), tf.float32)
        texts = tf.constant(TEXTS)
        r["hash_3"] = tf.strings.to_hash_bucket_fast(texts, 3)
        r["hash_huge"] = tf.strings.to_hash_bucket_fast(texts, 2**63 - 1)
        r["hash_numbers"] = tf.strings.to_hash_bucket_fast(tf.strings.as_string(tf.cast(ids, tf.int64)), 1000003)
        r["str_f"] = tf.strings.as_string(x)
        r["str_e"] = tf.strings.as_string(x, scientific=True, precision=3)
        r["str_g"] = tf.strings.as_string(x, shortest=True)
        r["str_g2"] = tf.strings.as_string(tf.cast(x, tf.float64) * 1e5, shortest=True, precision=2)
        r["str_f0"] = tf.strings.as_string(x, precision=0, width=9, fill="0")
        r["str_fleft"] = tf.strings.as_string(x, precision=2, width=10, fill="-")
        r["str_d"] = tf.strings.as_string(ids, width=5)
        r["str_d64"] = tf.strings.as_string(tf.cast(ids, tf.int64) * 1000000007, fill="+", width=3)
        r["str_bool"] = tf.strings.as_string(x > 0)
        return r


m = Misc()
tf.saved_model.save(m, os.path.join(out, "misc"), signatures={"serving_default": m.run})
x = np.array([-3.25, -1.0, -0.0, 0.0, 0.125, 0.5, 0.4999999, 1.5, 2.0, 3.0e-7, 123456.789, 2.5e12, float("inf"),
              -float("inf"), 0.0625, 7.0, float("nan")], dtype=np.float32)
ids = np.array([[0, 3, 3, 1, 6, 2, 0, 5], [4, 4, 4, 9, 0, 1, 2, 3]], dtype=np.int32)
np.save(os.path.join(out, "inputs_x.npy"), x)
np.save(os.path.join(out, "inputs_ids.npy"), ids)
for k, v in m.run(tf.constant(x), tf.constant(ids)).items():
    v = v.numpy()
    if v.dtype == object:
        with open(os.path.join(out, "strings_%s.txt" % k), "w", encoding="utf-8") as f:
            f.write("\n".join(s.decode("utf-8") for s in v.reshape(-1)) + "\n")
    else:
        np.save(os.path.join(out, "out_%s.npy" % k), v)
import keras

L = keras.layers
words_in = keras.Input((3,), dtype="string", name="words")
ids_in = keras.Input((4,), dtype="int64", name="ids")
lookups = keras.Model([words_in, ids_in], {
    "string_lookup": L.StringLookup(vocabulary=["cat", "dog", "h\u00e9ron", "bird"], num_oov_indices=2)(words_in),
    "integer_lookup": L.IntegerLookup(vocabulary=[7, 42, -3, 1000000007])(ids_in),
    "string_multi_hot": L.StringLookup(vocabulary=["cat", "dog"], output_mode="multi_hot")(words_in),
    "integer_invert": L.IntegerLookup(vocabulary=[7, 42, -3], invert=True)(ids_in % 5)})
lookups.export(os.path.join(out, "lookup"), format="tf_saved_model", verbose=False)
words = [["cat", "fish", "h\u00e9ron"], ["", "dog", "dog"], ["bird", "cat", "zebra"], ["Cat", "bird", "\u4e2d"]]
ids = np.array([[7, 42, 0, -3], [1000000007, 8, 7, 7], [-1, 2, 3, 4], [42, 42, 5, 6]], dtype=np.int64)
with open(os.path.join(out, "lookup_words.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(w for row in words for w in row) + "\n")
np.save(os.path.join(out, "lookup_ids.npy"), ids)
served = tf.saved_model.load(os.path.join(out, "lookup")).signatures["serving_default"]
for k, v in served(words=tf.constant(words), ids=tf.constant(ids)).items():
    np.save(os.path.join(out, "lookup_out_%s.npy" % k), v.numpy())
TEXT = ["The cat, SAT on the mat!", "a dog", "", "  cat  cat\tcat \u00c9t\u00c9 ", "x,y,,z", "O'Neil's [cat] (the)"]
with open(os.path.join(out, "text_input.txt"), "w", encoding="utf-8") as f:
    f.write("\n".join(TEXT) + "\n")
text_in = keras.Input((), dtype="string", name="text")
vocab = ["the", "cat", "sat", "on", "mat", "oneils"]
vectorizers = keras.Model(text_in, {
    "ints": L.TextVectorization(vocabulary=vocab)(text_in),
    "ints_padded": L.TextVectorization(vocabulary=vocab, output_sequence_length=3)(text_in),
    "multi_hot": L.TextVectorization(vocabulary=vocab[:3], output_mode="multi_hot")(text_in),
    "count": L.TextVectorization(vocabulary=vocab, output_mode="count", standardize="lower")(text_in),
    "characters": L.TextVectorization(vocabulary=["t", "h", "e", "\u00e9", " "], split="character",
                                      output_sequence_length=9)(text_in)})
vectorizers.export(os.path.join(out, "text"), format="tf_saved_model", verbose=False)
served = tf.saved_model.load(os.path.join(out, "text")).signatures["serving_default"]
for k, v in served(text=tf.constant(TEXT)).items():
    np.save(os.path.join(out, "text_out_%s.npy" % k), v.numpy())


class Strings(tf.Module):
    def __init__(self):
        super().__init__()
        self.table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(["x", "a dog", ""], tf.constant([1.5, -2.0, 7.0])), default_value=0.25)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    def run(self, text):
        return {"table_find": self.table.lookup(text), "table_size": self.table.size(),
                "lower": tf.strings.lower(text),
                "regex": tf.strings.regex_replace(text, r"(\w)(a+)", r"<\2\1>"),
                "regex_first": tf.strings.regex_replace(text, "[aeiou]", "_", replace_global=False),
                "split_space": tf.strings.split(text).to_tensor("<pad>"),
                "split_comma": tf.strings.split(text, sep=",").to_tensor("<pad>"),
                "split_once": tf.strings.split(text, maxsplit=1).to_tensor("<pad>"),
                "code_points": tf.strings.unicode_decode(text, "UTF-8").to_tensor(-1),
                "reencoded": tf.strings.unicode_encode(tf.strings.unicode_decode(text, "UTF-8"), "UTF-8"),
                "malformed": tf.strings.unicode_decode(tf.constant([b"a\xffb\xe2\x82", b"\xc3\xa9\xed\xa0\x80z\x01"]), "UTF-8",
                                                       replacement_char=63, replace_control_characters=True).to_tensor(-1),
                "malformed_ignored": tf.strings.unicode_decode(tf.constant([b"a\xffb\xe2\x82"]), "UTF-8", errors="ignore").to_tensor(-1),
                "invalid_points": tf.strings.unicode_encode(tf.ragged.constant([[104, 0xD800, 105], [0x110000, 33]]), "UTF-8")}


st = Strings()
tf.saved_model.save(st, os.path.join(out, "strings"), signatures={"serving_default": st.run})
for k, v in st.run(tf.constant(TEXT)).items():
    v = v.numpy()
    if v.dtype != object:
        np.save(os.path.join(out, "text_ints_%s.npy" % k), v.astype(np.float64) if v.dtype.kind == "f" else v)
        continue
    with open(os.path.join(out, "text_strings_%s_%s.txt" % (k, "x".join(str(d) for d in v.shape))), "w", encoding="utf-8") as f:
        f.write("\n".join(s.decode("utf-8") for s in v.reshape(-1)) + "\n")
print("wrote", out)
