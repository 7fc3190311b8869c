"""A tf_keras functional model that slices tensors (x[:, :8], x[:, 3], x[:, ::-1], x[:, -4:], x[:, 1:, ::2]), which
tf.keras records as SlicingOpLambda layers, with TFOpLambda additions and a reduction on the slices; with Keras's
predictions, its .h5 and JSON. Usage: python slicing_ops.py OUT_DIR"""
import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"
import numpy as np
import tensorflow as tf
import tf_keras as k

out = sys.argv[1]
k.utils.set_random_seed(5)
flat = k.Input((10,), name="flat")
seq = k.Input((6, 5), name="seq")
a = flat[:, :8]
b = flat[:, 2:10:2]
c = flat[:, ::-1]
d = flat[:, -4:]
e = flat[:, 3]
s = seq[:, 1:, ::2]
t = seq[:, -1]
y1 = k.layers.Dense(4, name="head")(a[:, 1:5] + b + d)
y2 = tf.math.reduce_sum(c, axis=-1, keepdims=True)
y5 = k.layers.Dense(1, name="index")(k.layers.Reshape((1,))(e))
y3 = k.layers.Flatten()(s)
y4 = k.layers.Dense(2, name="last")(t)
m = k.Model([flat, seq], [y1, y2, y3, y4, y5], name="slices")
rng = np.random.default_rng(5)
xs = [rng.random((3, 10), dtype=np.float32), rng.random((3, 6, 5), dtype=np.float32)]
for i, x in enumerate(xs):
    np.save(os.path.join(out, f"inputs_{i}.npy"), x)
for i, y in enumerate(m.predict(xs, verbose=0)):
    np.save(os.path.join(out, f"outputs_{i}.npy"), y)
m.save(os.path.join(out, "model.h5"))
