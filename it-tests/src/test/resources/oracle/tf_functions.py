"""A tf_keras functional model calling TensorFlow's data-moving functions on tensors (tf.concat, tf.stack,
tf.expand_dims, tf.squeeze, tf.reshape, tf.transpose, tf.clip_by_value, tf.cast), which tf.keras records as TFOpLambda
layers; with Keras's predictions and its .h5. Usage: python tf_functions.py OUT_DIR"""
import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"
import numpy as np
import tensorflow as tf
import tf_keras as k

out = sys.argv[1]
k.utils.set_random_seed(7)
x = k.Input((4, 6), name="x")
a = tf.concat([x, x * 2.0], axis=-1)
b = tf.expand_dims(a, axis=1)
c = tf.squeeze(b, axis=1)
d = tf.reshape(c, (-1, 6, 8))
e = tf.transpose(d, perm=[0, 2, 1])
f = tf.clip_by_value(e, -0.5, 0.5)
g = tf.stack([f, e], axis=1)
h = tf.cast(g * 3.0, tf.int32)
y1 = k.layers.Dense(3, name="head")(k.layers.Flatten()(g))
y2 = tf.cast(h, tf.float32)
y3 = tf.transpose(c)
m = k.Model(x, [y1, y2, y3], name="tf_functions")
rng = np.random.default_rng(7)
xin = (rng.random((2, 4, 6), dtype=np.float32) - 0.5) * 2
np.save(os.path.join(out, "inputs_0.npy"), xin)
for i, y in enumerate(m.predict(xin, verbose=0)):
    np.save(os.path.join(out, f"outputs_{i}.npy"), y)
m.save(os.path.join(out, "model.h5"))
