#!/usr/bin/env bash
# Issue #18: the graph interpreter against keras4j's own layer runtime on the benchmark models' tf.keras SavedModels
# (same model, same inputs, one thread each). Prints JMH's table and the graph / layers ratio per model and batch.
# Usage: benchmarks/compare-graph.sh [JMH args, e.g. -p model=mlp,cnn]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
python="$("$root/oracle/venv.sh")"
out="$here/target/bench-models"
if [ ! -f "$out/lstm/k2/savedmodel/saved_model.pb" ]; then
  "$python" "$here/make_models.py" "$out" >&2
fi
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "build first: mvn -pl benchmarks -am package -DskipTests" >&2; exit 2; }
csv="$(mktemp)"
java -jar "$jar" GraphBenchmark -p models="$out" -rf csv -rff "$csv" "$@"
echo
echo "model batch layers_ms graph_ms graph/layers"
awk -F, 'NR > 1 {
  gsub(/["\r]/, "");
  # columns: Benchmark,Mode,Threads,Samples,Score,Score Error,Unit,Param: batch,Param: model,Param: models,Param: path
  key = $9 " " $8; if ($11 == "graph") g[key] = $5; else l[key] = $5
} END { for (k in g) if (k in l) printf "%s %.3f %.3f %.2f\n", k, l[k], g[k], g[k] / l[k] }' "$csv" | sort
rm -f "$csv"
