import os, sys, json
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, tensorflow as tf
out = sys.argv[1]; os.makedirs(out, exist_ok=True)
# 1. every dtype, through tf.train.Checkpoint
vals = {
 "f16": tf.constant([[1.5, -2.25], [65504., 0.0009765625]], tf.float16),
 "bf16": tf.constant([1.5, -3.0, 1e30], tf.bfloat16),
 "f32": tf.constant([[9.229685, 10.901115]], tf.float32),
 "f64": tf.constant([3.141592653589793, -1e300], tf.float64),
 "i8": tf.constant([-128, 127], tf.int8), "i16": tf.constant([-32768, 7], tf.int16),
 "i32": tf.constant([-2147483648, 5], tf.int32), "i64": tf.constant([-9223372036854775807, 9], tf.int64),
 "u8": tf.constant([255, 1], tf.uint8), "u16": tf.constant([65535, 2], tf.uint16),
 "u32": tf.constant([4294967295, 3], tf.uint32), "u64": tf.constant([18446744073709551615, 4], tf.uint64),
 "b": tf.constant([True, False, True]), "s": tf.constant([[b"hello", b""], [b"\x00\xff" * 100, "é".encode()]]),
 "scalar": tf.constant(42.0),
}
class Holder(tf.Module): pass
h = Holder()
for k, v in vals.items(): setattr(h, k, tf.Variable(v))
tf.train.Checkpoint(h=h).write(f"{out}/dtypes/ckpt")
# 2. a partitioned (sliced) variable and a string variable, written by the TF1 Saver
with tf.Graph().as_default():
    v = tf.compat.v1.get_variable("part", shape=[10, 3], initializer=tf.compat.v1.random_uniform_initializer(seed=3),
                                  partitioner=tf.compat.v1.fixed_size_partitioner(3))
    s = tf.compat.v1.get_variable("plain", initializer=tf.constant([[1., 2.], [3., 4.]]))
    saver = tf.compat.v1.train.Saver()
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        full = sess.run(tf.concat(list(v), axis=0))
        saver.save(sess, f"{out}/sliced/model", global_step=7)
np.save(f"{out}/sliced/part.npy", full)
for p in [f"{out}/dtypes/ckpt", f"{out}/sliced/model-7"]:
    print("==", p)
    r = tf.train.load_checkpoint(p)
    for k, s in sorted(r.get_variable_to_shape_map().items()): print("  ", k, s, r.get_variable_to_dtype_map()[k].name)
# 3. what TensorFlow reads back, for the Java tests (bfloat16 as float32: NumPy has no bfloat16)
r = tf.train.load_checkpoint(f"{out}/dtypes/ckpt")
exp = {}
for k, dt in r.get_variable_to_dtype_map().items():
    if dt in (tf.string,): continue
    v = r.get_tensor(k)
    exp[k.split("/")[1]] = np.asarray(v, dtype=np.float32) if dt == tf.bfloat16 else np.asarray(v)
np.savez(f"{out}/dtypes/expected.npz", **exp)
