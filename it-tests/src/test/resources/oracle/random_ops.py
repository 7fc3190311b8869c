"""Writes SavedModels whose graphs draw TensorFlow's stateless random numbers, and what TensorFlow drew.

usage: random_ops.py OUT_DIR

OUT_DIR/stateless: serving_default(seed: int64[2]) -> every stateless op family (V2 ops through
tf.random.stateless_*, V1 ops through tf.raw_ops) in every dtype they take, with sizes that are not multiples of
the Philox group and large enough that truncated normals reject. For each seed of SEEDS, seed_<i>.npy and
seed_<i>_<output>.npy hold the input and TensorFlow's outputs.
OUT_DIR/generator: serving_default() -> integers and floats drawn through a tf.random.Generator state variable
(RngReadAndSkip); call_<j>_<output>.npy hold the outputs of the j-th call after saving.
OUT_DIR/layers: a Keras 3 model.export() of random augmentation layers called with training=True (they draw from
a seed state variable through the stateless ops); layers_input.npy, and layers_<j>_<output>.npy what TensorFlow's
loaded SavedModel gave on the j-th call.
"""
import os
import sys

import numpy as np
import tensorflow as tf

SEEDS = [[0, 0], [1, 2], [-7, 123456789], [2**62 + 11, -(2**40)], [42, 4294967295]]

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


class Stateless(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([2], tf.int64, name="seed")])
    def draw(self, seed):
        r = {}
        for name, dt in [("f32", tf.float32), ("f64", tf.float64), ("f16", tf.float16), ("bf16", tf.bfloat16)]:
            r["uniform_" + name] = tf.cast(tf.random.stateless_uniform([3, 7], seed, dtype=dt), tf.float32 if dt == tf.bfloat16 else dt)
            r["normal_" + name] = tf.cast(tf.random.stateless_normal([5, 3], seed, dtype=dt), tf.float32 if dt == tf.bfloat16 else dt)
            r["truncated_" + name] = tf.cast(tf.random.stateless_truncated_normal([1001], seed, dtype=dt), tf.float32 if dt == tf.bfloat16 else dt)
        r["uniform_scaled"] = tf.random.stateless_uniform([9], seed, minval=-3.0, maxval=5.0)
        r["int32"] = tf.random.stateless_uniform([2, 9], seed, minval=-5, maxval=17, dtype=tf.int32)
        r["int32_wide"] = tf.random.stateless_uniform([11], seed, minval=-2**31, maxval=2**31 - 1, dtype=tf.int32)
        r["int64"] = tf.random.stateless_uniform([7], seed, minval=-(2**40), maxval=2**50 + 3, dtype=tf.int64)
        for name, dt in [("i32", tf.int32), ("i64", tf.int64), ("u32", tf.uint32), ("u64", tf.uint64)]:
            r["full_" + name] = tf.random.stateless_uniform([6], seed, minval=None, maxval=None, dtype=dt)
        r["v1_uniform"] = tf.raw_ops.StatelessRandomUniform(shape=[10], seed=seed, dtype=tf.float32)
        r["v1_normal_f64"] = tf.raw_ops.StatelessRandomNormal(shape=[5], seed=tf.cast(seed, tf.int32), dtype=tf.float64)
        r["v1_truncated"] = tf.raw_ops.StatelessTruncatedNormal(shape=[2, 3], seed=seed, dtype=tf.float32)
        r["v1_int"] = tf.raw_ops.StatelessRandomUniformInt(shape=[6], seed=seed, minval=3, maxval=1000)
        key, counter = tf.raw_ops.StatelessRandomGetKeyCounter(seed=seed)
        r["key"] = tf.bitcast(key, tf.int64)
        r["counter"] = tf.bitcast(counter, tf.int64)
        r["gamma_v3"] = tf.raw_ops.StatelessRandomGammaV3(shape=[40, 3], key=key, counter=counter, alg=1,
                                                         alpha=tf.constant([0.3, 1.0, 2.5]))
        r["gamma_v3_f64"] = tf.raw_ops.StatelessRandomGammaV3(shape=[7, 2], key=key, counter=counter, alg=3,
                                                             alpha=tf.constant([0.05, 9.0], tf.float64))
        r["gamma"] = tf.random.stateless_gamma([6, 2], seed, alpha=[0.7, 4.0])
        r["gamma_v2"] = tf.raw_ops.StatelessRandomGammaV2(shape=[9, 2], seed=seed, alpha=tf.constant([0.5, 3.0]))
        r["v1_full_int"] = tf.raw_ops.StatelessRandomUniformFullInt(shape=[5], seed=seed, dtype=tf.int64)
        kca_key, kca_counter, kca_alg = tf.raw_ops.StatelessRandomGetKeyCounterAlg(seed=seed)
        r["kca_normal"] = tf.raw_ops.StatelessRandomNormalV2(shape=[6], key=kca_key, counter=kca_counter, alg=kca_alg)
        r["get_alg"] = tf.raw_ops.StatelessRandomGetAlg()
        r["v2_auto_alg"] = tf.raw_ops.StatelessRandomUniformV2(shape=[5], key=key, counter=counter, alg=3)
        return r


class Generated(tf.Module):
    def __init__(self):
        super().__init__()
        self.gen = tf.random.Generator.from_seed(1234)

    @tf.function(input_signature=[])
    def draw(self):
        return {"ints": self.gen.uniform([5], minval=0, maxval=100, dtype=tf.int32),
                "seeds": self.gen.make_seeds(2)}


def save_all(prefix, values):
    for k, v in values.items():
        np.save(os.path.join(out, prefix + "_" + k + ".npy"), v.numpy())


m = Stateless()
tf.saved_model.save(m, os.path.join(out, "stateless"), signatures={"serving_default": m.draw})
for i, s in enumerate(SEEDS):
    seed = np.array(s, dtype=np.int64)
    np.save(os.path.join(out, "seed_%d.npy" % i), seed)
    save_all("seed_%d" % i, m.draw(tf.constant(seed)))

g = Generated()
tf.saved_model.save(g, os.path.join(out, "generator"), signatures={"serving_default": g.draw})
for j in range(3):
    save_all("call_%d" % j, g.draw())
import keras

L = keras.layers
x = keras.Input((6, 5, 3), name="images")
branches = {
    "flip": L.RandomFlip(seed=1), "brightness": L.RandomBrightness(0.4, seed=2), "contrast": L.RandomContrast(0.5, seed=3),
    "grayscale": L.RandomGrayscale(0.5, seed=4), "invert": L.RandomInvert(0.5, seed=5),
    "posterization": L.RandomPosterization(3, seed=6), "solarization": L.Solarization(0.5, 0.5, seed=7),
    "color_degeneration": L.RandomColorDegeneration(0.6, seed=8),
}
model = keras.Model(x, {k: layer(x, training=True) for k, layer in branches.items()})
model.export(os.path.join(out, "layers"), format="tf_saved_model", verbose=False)
images = np.random.default_rng(11).uniform(0, 255, (4, 6, 5, 3)).astype("float32")
np.save(os.path.join(out, "layers_input.npy"), images)
served = tf.saved_model.load(os.path.join(out, "layers")).signatures["serving_default"]
for j in range(2):
    save_all("layers_%d" % j, served(images=tf.constant(images)))
print("wrote", out)
