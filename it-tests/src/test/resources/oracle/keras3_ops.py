"""A Keras 3 functional model whose tensor expressions Keras 3 records as operation nodes (GetItem, Add, Subtract with
a constant first, Multiply, TrueDivide, Concatenate, Reshape, Transpose, ExpandDims, Squeeze, Stack, Clip, Cast,
Matmul, Where on a comparison, Sum/Mean/Max/Min with and without keepdims, Relu, Sigmoid, Tanh, Softmax, Exp, Log,
Sqrt, Rsqrt, Square, Absolute, Negative, Maximum, Minimum, Power, Copy, Floor, Ceil, Sign, Round, Sin, Cos, Log1p, Expm1,
Reciprocal, Softsign, Erf, FloorDivide, Mod, LogicalAnd/Or/Not); with Keras's predictions and its .keras. Also
masked.keras: a Masking layer's mask through TimeDistributed, BatchNormalization, a Bidirectional GRU, an LSTM and
GlobalAveragePooling1D, which Keras 3 records as NotEqual and Any nodes passed as mask= (tf.keras
derives it itself), with masked_inputs_*.npy and masked_outputs_*.npy. Also refused_cumsum.keras: an operation tf.keras
records as no TensorFlow function keras4j knows.
Usage: python keras3_ops.py OUT_DIR"""
import os
import sys

import numpy as np
import keras
from keras import ops

out = sys.argv[1]
keras.utils.set_random_seed(13)
x = keras.Input((4, 6), name="x")
f = keras.Input((10,), name="f")
p = ops.abs(x) + 0.5
s1 = f[:, 1:9] + f[:, ::-1][:, :8] + f[:, -8:]
s2 = ops.reshape(x[:, 1:, ::2], (-1, 9))
e = ops.concatenate([x, x * 2.0], axis=-1)
g = ops.squeeze(ops.expand_dims(e, 1), axis=1)
h = ops.transpose(ops.reshape(g, (-1, 6, 8)), (0, 2, 1))
st = ops.stack([ops.clip(h, -0.5, 0.5), h], axis=1)
ca = ops.cast(ops.cast(st * 3.0, "int32"), "float32")
mm = ops.matmul(x, ops.transpose(x, (0, 2, 1)))
wh = ops.where(x > 0.2, x, 0.0)
a = ops.relu(x) * ops.sigmoid(x) - ops.tanh(x) + (2.0 - x)
b = ops.sqrt(p) + ops.log(p) + ops.rsqrt(p) + ops.square(x) + ops.exp(x) / 4.0 + ops.negative(x)
c = ops.maximum(x, 0.1) + ops.minimum(x, -0.1) + ops.power(p, 2.0)
y1 = keras.layers.Dense(3, name="head")(ops.concatenate([s1, s2], axis=-1))
y2 = ops.sum(c, axis=-1, keepdims=True) + ops.mean(wh, axis=-1, keepdims=True)
y3 = ops.max(b, axis=-1) + ops.min(a, axis=-1)
y4 = ops.softmax(a + b, axis=-1)
y5 = ops.transpose(x)
x5 = x * 5.0
y6 = (ops.copy(x) + ops.floor(x5) + ops.ceil(x5) + ops.sign(x) + ops.round(x5) + ops.sin(x) + ops.cos(x) + ops.log1p(p)
      + ops.expm1(x) + ops.reciprocal(p) + ops.softsign(x) + ops.erf(x) + x5 // 2.0 + x5 % 2.0
      + ops.where(ops.logical_or(ops.logical_and(x > -0.5, ops.logical_not(x > 0.5)), x > 0.9), 1.0, 0.0))
m = keras.Model([x, f], [y1, y2, y3, y4, y5, ca, mm, f[:, 3], y6], name="keras3_ops")
rng = np.random.default_rng(13)
xs = [(rng.random((2, 4, 6), dtype=np.float32) - 0.5) * 2, rng.random((2, 10), dtype=np.float32)]
for i, v in enumerate(xs):
    np.save(os.path.join(out, f"inputs_{i}.npy"), v)
for i, y in enumerate(m.predict(xs, verbose=0)):
    np.save(os.path.join(out, f"outputs_{i}.npy"), y)
m.save(os.path.join(out, "model.keras"))

q = keras.Input((5, 3), name="q")
L = keras.layers
mq = L.Masking(0.0, name="masking")(q)
mq = L.BatchNormalization(name="norm")(L.TimeDistributed(L.Dense(3), name="per_step")(mq))
mq = L.Bidirectional(L.GRU(4, return_sequences=True), name="bigru")(mq)
masked = keras.Model(q, [L.LSTM(4, name="lstm")(mq) * 2.0, L.GlobalAveragePooling1D(name="pool")(mq)], name="masked")
qin = rng.random((2, 5, 3), dtype=np.float32)
qin[0, -2:] = 0.0  # the first sample's last two steps are masked
np.save(os.path.join(out, "masked_inputs_0.npy"), qin)
for i, y in enumerate(masked.predict(qin, verbose=0)):
    np.save(os.path.join(out, f"masked_outputs_{i}.npy"), y)
masked.save(os.path.join(out, "masked.keras"))

r = keras.Input((4, 6), name="r")
keras.Model(r, ops.cumsum(r, axis=-1), name="cumsum").save(os.path.join(out, "refused_cumsum.keras"))
