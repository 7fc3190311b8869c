#!/usr/bin/env bash
# Benchmarks keras4j's runtime against Keras/TensorFlow on the same models and inputs; prints milliseconds per
# predict call and the ratio keras4j / Keras (below 1: keras4j is faster). Not run in CI.
#
#   benchmarks/compare.sh [extra JMH args, e.g. -p threads=2 -p model=mlp,cnn]
#
# Needs the oracle venv (oracle/venv.sh) and a built benchmarks jar (mvn -pl benchmarks -am package).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="$("$here/../oracle/venv.sh")"
out="$here/target/bench-models"
jar="$here/target/benchmarks.jar"
[[ -f "$jar" ]] || { echo "missing $jar: run 'mvn -pl benchmarks -am package' first" >&2; exit 1; }

mkdir -p "$out"
echo "== writing models and timing Keras ($out)" >&2
"$python" "$here/make_models.py" "$out" >&2

echo "== timing keras4j (JMH)" >&2
java -jar "$jar" PredictBenchmark -p models="$out" -rf json -rff "$here/target/jmh.json" "$@" >&2

"$python" - "$out/keras_timings.json" "$here/target/jmh.json" <<'PY'
import json, sys
keras = json.load(open(sys.argv[1]))
rows = []
for r in json.load(open(sys.argv[2])):
    p = r["params"]
    ms = r["primaryMetric"]["score"]
    k = keras[p["model"]][p["batch"]]
    rows.append((p["model"], int(p["batch"]), int(p.get("threads", 1)), ms, k))
print(f"{'model':<12}{'batch':>6}{'threads':>8}{'keras4j ms':>12}{'keras ms':>10}{'ratio':>8}{'keras4j samples/s':>19}")
for m, b, t, ms, k in sorted(rows):
    print(f"{m:<12}{b:>6}{t:>8}{ms:>12.3f}{k:>10.3f}{ms / k:>8.2f}{b * 1000 / ms:>19.1f}")
PY
