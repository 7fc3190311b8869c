"""A tf_keras functional model calling TensorFlow's arithmetic on tensors (tf.math.*, tf.nn.*, reductions with and
without keepdims, tf.matmul, tf.where on comparisons and logical ops, tf.identity, x // y, x % y, a constant before the tensor: 2.0 - x), which tf.keras records as
TFOpLambda layers; with Keras's predictions and its .h5. Also refused_*.h5: calls Keras 3 records as no single operation
node (tf.math.squared_difference, with its predictions; tf.matmul with transpose_b). Usage: python tf_math.py OUT_DIR"""
import os
import sys

os.environ["TF_USE_LEGACY_KERAS"] = "1"
import numpy as np
import tensorflow as tf
import tf_keras as k

out = sys.argv[1]
k.utils.set_random_seed(11)
x = k.Input((4, 6), name="x")
w = k.Input((6, 3), name="w")
p = tf.math.abs(x) + 0.5
a = tf.nn.relu(x) * tf.math.sigmoid(x) - tf.math.tanh(x)
b = tf.math.sqrt(p) + tf.math.log(p) + tf.math.rsqrt(p) + tf.math.square(x) + tf.math.exp(x) / 4.0
c = tf.math.maximum(x, 0.1) + tf.math.minimum(x, -0.1) + tf.math.pow(p, 2.0) + (2.0 - x) + tf.math.negative(x)
d = tf.where(x > 0.2, x, 0.0) + tf.where(tf.math.less_equal(x, -0.2), 1.0, x)
y1 = tf.matmul(a + b, w)
y2 = tf.reduce_sum(c, axis=-1, keepdims=True)
y3 = tf.reduce_mean(d, axis=1)
y4 = tf.math.reduce_max(b, -1) + tf.math.reduce_min(a, axis=-1)
y5 = tf.nn.softmax(c) + tf.nn.silu(d) + tf.nn.relu6(x * 8.0) + tf.nn.elu(x) + tf.nn.selu(x) + tf.math.softplus(x)
y6 = k.layers.Dense(2, name="head")(tf.nn.gelu(a) + tf.nn.log_softmax(b))
x5 = x * 5.0
y7 = (tf.identity(x) + tf.math.floor(x5) + tf.math.ceil(x5) + tf.math.sign(x) + tf.math.round(x5) + tf.math.sin(x)
      + tf.math.cos(x) + tf.math.log1p(p) + tf.math.expm1(x) + tf.math.reciprocal(p) + tf.nn.softsign(x) + tf.math.erf(x)
      + x5 // 2.0 + x5 % 2.0
      + tf.where(tf.math.logical_or(tf.math.logical_and(x > -0.5, tf.math.logical_not(x > 0.5)), x > 0.9), 1.0, 0.0))
m = k.Model([x, w], [y1, y2, y3, y4, y5, y6, y7], name="tf_math")
rng = np.random.default_rng(11)
xs = [(rng.random((2, 4, 6), dtype=np.float32) - 0.5) * 2, rng.random((2, 6, 3), dtype=np.float32) - 0.5]
for i, v in enumerate(xs):
    np.save(os.path.join(out, f"inputs_{i}.npy"), v)
for i, y in enumerate(m.predict(xs, verbose=0)):
    np.save(os.path.join(out, f"outputs_{i}.npy"), y)
m.save(os.path.join(out, "model.h5"))

r = k.Input((4, 6), name="r")
sd = k.Model(r, tf.math.squared_difference(r, 1.0), name="squared_difference")
np.save(os.path.join(out, "refused_squared_difference_inputs_0.npy"), xs[0])
np.save(os.path.join(out, "refused_squared_difference_outputs_0.npy"), sd.predict(xs[0], verbose=0))
sd.save(os.path.join(out, "refused_squared_difference.h5"))
k.Model(r, tf.matmul(r, r, transpose_b=True), name="matmul_transposed").save(os.path.join(out, "refused_matmul_transposed.h5"))
