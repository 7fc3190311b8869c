#!/usr/bin/env bash
# Proves reverse_check.py works: Keras-written files must pass against their own
# references, and known-bad cases must fail. Usage: oracle/selftest.sh [ZOO_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="$("$here/venv.sh")"
"$python" -B "$here/selftest.py" "$@"
# The probe that excuses a case only where TensorFlow itself lacks a kernel on this machine, proven both ways.
exec "$python" -B "$here/selftest_limits.py"
