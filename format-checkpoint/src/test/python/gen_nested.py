"""Writes src/test/resources/tf/{k2,k3}_nested: a model whose weights sit in nested objects the zoo lacks.

MultiHeadAttention without biases (Keras 3: with use_gate, a fifth sub-layer) and
TimeDistributed(Bidirectional(SimpleRNN)); model.json plus its checkpoint (tf_keras save_weights / Keras 3
tf.train.Checkpoint(model=m).write), inputs_0.npy and the model's outputs_0.npy.  usage: gen_nested.py k2|k3 OUT_DIR
"""
import os, sys
gen, out = sys.argv[1], sys.argv[2]
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
if gen == "k2":
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tf_keras as K
else:
    import keras as K
import numpy as np, tensorflow as tf
K.utils.set_random_seed(7)
x = K.Input((3, 4), name="x")
gate = dict(use_gate=True) if gen == "k3" else {}
a = K.layers.MultiHeadAttention(2, 2, value_dim=3, use_bias=False, name="mha", **gate)(x, x)
h = K.layers.Reshape((3, 2, 2), name="reshape")(a)
y = K.layers.TimeDistributed(K.layers.Bidirectional(K.layers.SimpleRNN(2)), name="td")(h)
m = K.Model(x, y, name="nested_objects")
os.makedirs(os.path.join(out, "ckpt"), exist_ok=True)
with open(os.path.join(out, "model.json"), "w") as f:
    f.write(m.to_json())
prefix = os.path.join(out, "ckpt", "ckpt")
if gen == "k2":
    m.save_weights(prefix, save_format="tf")
else:
    tf.train.Checkpoint(model=m).write(prefix)
inputs = np.random.default_rng(3).normal(size=(2, 3, 4)).astype("float32")
np.save(os.path.join(out, "inputs_0.npy"), inputs)
np.save(os.path.join(out, "outputs_0.npy"), np.asarray(m(inputs, training=False)))
