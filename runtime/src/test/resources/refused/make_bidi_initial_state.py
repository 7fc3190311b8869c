"""Writes bidi_initial_state.json (architecture only) with tf_keras 2.21: a Bidirectional LSTM given initial states.
Run with the oracle venv: $(oracle/venv.sh) make_bidi_initial_state.py"""
import os, json
os.environ["TF_USE_LEGACY_KERAS"] = "1"
import tf_keras as k
L = k.layers
inp = k.Input(shape=(5, 3))
h = k.Input(shape=(4,))
c = k.Input(shape=(4,))
y = L.Bidirectional(L.LSTM(4), name="bidi")(inp, initial_state=[h, c, h, c])
m = k.Model([inp, h, c], L.Dense(2)(y))
open("bidi_initial_state.json", "w").write(m.to_json())
