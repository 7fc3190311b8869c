#!/usr/bin/env bash
# Load time and heap of keras4j per saved format against Keras/tf.keras on the same files; prints one table.
# Not run in CI.
#
#   benchmarks/compare-load.sh [extra JMH args, e.g. -p model=mlp,lstm -p format=keras,h5]
#
# Time: median milliseconds from loading to every weight readable (keras4j: JMH sample time, LoadBenchmark;
# Keras: make_models.py --time load, median after warm-up). speed-up = Keras ms / keras4j ms.
# Heap: for each model and format a fresh JVM (Serial GC, -Xms = -Xmx) is started under smaller and smaller heaps;
# "min heap" is the least -Xmx that still loads and touches the model, minus that least -Xmx for a JVM which only
# creates the facade (the baseline), found by bisection to HEAP_STEP_KB (default 256). W = bytes of weight data.
# Set KERAS_LOADS=skip to reuse target/bench-models/keras_load_timings.json from a previous run.
# Needs the oracle venv (oracle/venv.sh) and a built benchmarks jar (mvn -pl benchmarks -am package).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="$("$here/../oracle/venv.sh")"
out="$here/target/bench-models"
jar="$here/target/benchmarks.jar"
step_kb="${HEAP_STEP_KB:-256}"
[[ -f "$jar" ]] || { echo "missing $jar: run 'mvn -pl benchmarks -am package' first" >&2; exit 1; }

mkdir -p "$out"
if [[ "${KERAS_LOADS:-}" != skip ]]; then
  echo "== writing models and timing Keras loads ($out)" >&2
  "$python" "$here/make_models.py" "$out" --time load >&2
fi

echo "== timing keras4j loads (JMH)" >&2
java -jar "$jar" LoadBenchmark -p models="$out" -rf json -rff "$here/target/jmh-load.json" "$@" >&2

# Exit status 0 when MODEL FORMAT loads in a heap of $3 KiB.
fits() {
  java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "-Xms${3}k" "-Xmx${3}k" -cp "$jar" io.keras4j.benchmarks.PeakHeap \
    "$out" "$1" "$2" >/dev/null 2>&1
}

# Least heap in KiB (to step_kb) that loads MODEL FORMAT.
least_heap() {
  local lo=1024 hi=$((128 * 1024))
  fits "$1" "$2" "$hi" || { echo "$1 $2 does not load in $((hi / 1024)) MiB" >&2; echo -1; return; }
  while ((hi - lo > step_kb)); do
    local mid=$(((lo + hi) / 2))
    if fits "$1" "$2" "$mid"; then hi=$mid; else lo=$mid; fi
  done
  echo "$hi"
}

echo "== least heap per load (bisection of -Xmx, one JVM per step)" >&2
heap="$here/target/heap.tsv"
baseline="$(least_heap mlp none)"
printf 'model\tformat\tW\tleast_heap_kb\n' >"$heap"
read -r -a models <<<"$("$python" -c 'import json,sys; print(" ".join(sorted({r["params"]["model"] for r in json.load(open(sys.argv[1]))})))' "$here/target/jmh-load.json")"
read -r -a formats <<<"$("$python" -c 'import json,sys; print(" ".join(sorted({r["params"]["format"] for r in json.load(open(sys.argv[1]))})))' "$here/target/jmh-load.json")"
for m in "${models[@]}"; do
  for f in "${formats[@]}"; do
    w="$(java -cp "$jar" io.keras4j.benchmarks.PeakHeap "$out" "$m" "$f" 2>/dev/null | sed -E 's/^W=([0-9]+).*/\1/')"
    least="$(least_heap "$m" "$f")"
    echo "$m $f W=$w least=${least}k baseline=${baseline}k" >&2
    printf '%s\t%s\t%s\t%s\n' "$m" "$f" "$w" "$((least < 0 ? -1 : least - baseline))" >>"$heap"
  done
done

"$python" - "$out/keras_load_timings.json" "$here/target/jmh-load.json" "$heap" "$baseline" <<'PY'
import csv, json, sys
keras = json.load(open(sys.argv[1]))
java = {(r["params"]["model"], r["params"]["format"]): r["primaryMetric"]["scorePercentiles"]["50.0"]
        for r in json.load(open(sys.argv[2]))}
heap = {(r["model"], r["format"]): r for r in csv.DictReader(open(sys.argv[3]), delimiter="\t")}
mib = 1024 * 1024
print(f"baseline least heap (facade only): {int(sys.argv[4]) / 1024:.2f} MiB")
print(f"{'model':<12}{'format':<15}{'W MiB':>7}{'keras4j ms':>11}{'keras ms':>10}{'speed-up':>9}"
      f"{'min heap MiB':>13}{'/ W':>6}")
for (m, f), ms in sorted(java.items()):
    k = keras.get(m, {}).get(f)
    h = heap[(m, f)]
    w = int(h["W"])
    least = int(h["least_heap_kb"]) * 1024
    print(f"{m:<12}{f:<15}{w / mib:>7.2f}{ms:>11.2f}{k if k is not None else float('nan'):>10.1f}"
          f"{(k / ms) if k else float('nan'):>9.1f}{least / mib:>13.2f}{least / w:>6.2f}")
PY
