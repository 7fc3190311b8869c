"""Writes hard_sigmoids.json: a tf_keras 2 model using hard_sigmoid as activation and recurrent_activation.

Usage: python make.py OUT_DIR, with the oracle venv python (`oracle/venv.sh`).
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tf_keras

L = tf_keras.layers
seq = tf_keras.Input(shape=(3, 4), name="seq")
y = L.LSTM(2, recurrent_activation="hard_sigmoid", return_sequences=True, name="lstm")(seq)
y = L.TimeDistributed(L.Dense(2, activation="hard_sigmoid", name="gate"), name="per_step")(y)
y = L.Activation("hard_sigmoid", name="squash")(y)
y = L.Dense(1, activation="sigmoid", name="out")(y)
with open(os.path.join(sys.argv[1], "hard_sigmoids.json"), "w") as f:
    f.write(tf_keras.Model(seq, y, name="hard_sigmoids").to_json())
