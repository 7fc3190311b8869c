import os, sys, json
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, tensorflow as tf
out = sys.argv[1]
def arch(k):
    inp = k.Input((4,), name="x")
    h = k.layers.Dense(3, activation="relu", name="d1")(inp)
    h = k.layers.BatchNormalization(name="bn")(h)
    h = k.layers.Dropout(0.1, name="drop")(h)
    o = k.layers.Dense(2, name="d2")(h)
    return k.Model(inp, o, name="mlp")
def seq(k):
    return k.Sequential([k.Input((4,)), k.layers.Dense(3, name="d1"), k.layers.Dense(2, name="d2")], name="seq")
x = np.random.RandomState(0).rand(8, 4).astype("float32"); y = np.random.RandomState(1).rand(8, 2).astype("float32")
def dump(model, d):
    os.makedirs(d, exist_ok=True)
    np.save(f"{d}/x.npy", x); np.save(f"{d}/y.npy", model.predict(x, verbose=0))
    w = {}
    for l in model.layers:
        for i, v in enumerate(l.weights): w[f"{l.name}/{i}"] = np.asarray(v)
    np.savez(f"{d}/weights.npz", **w)
    open(f"{d}/model.json", "w").write(model.to_json())
    json.dump({l.name: [v.name for v in l.weights] for l in model.layers}, open(f"{d}/weight_names.json", "w"))
import tf_keras
for name, fn in [("k2_mlp", arch), ("k2_seq", seq)]:
    tf_keras.utils.set_random_seed(1)
    m = fn(tf_keras); m.compile("adam", "mse"); m.fit(x, y, epochs=1, verbose=0)
    d = f"{out}/{name}"; dump(m, d); m.save_weights(f"{d}/ckpt/ckpt")
    m2 = fn(tf_keras); m2.save_weights(f"{d}/noopt/ckpt")  # without optimizer
import keras
for name, fn in [("k3_mlp", arch), ("k3_seq", seq)]:
    keras.utils.set_random_seed(1)
    m = fn(keras); m.compile("adam", "mse"); m.fit(x, y, epochs=1, verbose=0)
    d = f"{out}/{name}"; dump(m, d)
    tf.train.Checkpoint(model=m).write(f"{d}/ckpt/ckpt")
    tf.train.Checkpoint(model=m).save(f"{d}/saved/ckpt")
    m2 = fn(keras); tf.train.Checkpoint(model=m2).write(f"{d}/noopt/ckpt")
for d in sorted(os.listdir(out)):
    for sub in ["ckpt/ckpt", "noopt/ckpt"]:
        p = f"{out}/{d}/{sub}"
        print("==", p)
        for k, s in tf.train.list_variables(p): print("  ", k, s)
