"""Writes the benchmark models with Keras 3 and times Keras's own predictions of them.

Usage: python make_models.py OUT_DIR
For each model: OUT_DIR/<model>/model.json, weights.npz ("<layer>/<i>" in Keras order) and input.npy (32
samples). OUT_DIR/keras_timings.json holds Keras's milliseconds per predict_on_batch call, per model and batch
size (median of repeated calls after warm-up), for compare.sh. Weights are seeded random (Keras initializers).
"""

import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

import numpy as np
import keras

SEED = 42
BATCHES = (1, 32)


def models():
    L = keras.layers
    return {
        "mlp": keras.Sequential([keras.Input((784,)), L.Dense(256, activation="relu"), L.Dense(256, activation="relu"),
                                 L.Dense(10, activation="softmax")], name="mlp"),
        "cnn": keras.Sequential([keras.Input((32, 32, 3)), L.Conv2D(32, 3, padding="same", activation="relu"),
                                 L.MaxPooling2D(), L.Conv2D(64, 3, padding="same", activation="relu"), L.MaxPooling2D(),
                                 L.Flatten(), L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")],
                                name="cnn"),
        "mobilenetv2": keras.applications.MobileNetV2(input_shape=(224, 224, 3), alpha=0.35, weights=None),
        "lstm": keras.Sequential([keras.Input((80,), dtype="int32"), L.Embedding(10000, 128), L.LSTM(128),
                                  L.Dense(1, activation="sigmoid")], name="lstm"),
    }


def sample_input(model, rng):
    shape = (32, *model.inputs[0].shape[1:])
    if "int" in str(model.inputs[0].dtype):
        return rng.integers(1, 10000, size=shape).astype("int32")
    return rng.standard_normal(shape).astype("float32")


def time_predictions(model, x, seconds=3.0):
    model.predict_on_batch(x)  # build and trace
    for _ in range(3):
        model.predict_on_batch(x)
    times = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 5:
        start = time.perf_counter()
        model.predict_on_batch(x)
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))


def main():
    out = sys.argv[1]
    keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    timings = {}
    for name, model in models().items():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "model.json"), "w") as f:
            f.write(model.to_json())
        weights = {f"{layer.name}/{i}": np.asarray(w.numpy()) for layer in model.layers for i, w in enumerate(layer.weights)}
        np.savez(os.path.join(d, "weights.npz"), **weights)
        x = sample_input(model, rng)
        np.save(os.path.join(d, "input.npy"), x)
        timings[name] = {str(b): time_predictions(model, x[:b]) for b in BATCHES}
        print(name, timings[name], flush=True)
    with open(os.path.join(out, "keras_timings.json"), "w") as f:
        json.dump(timings, f, indent=1)


if __name__ == "__main__":
    main()
