#!/usr/bin/env bash
# One GPU check, about 8 minutes on an H100/H200: the CUDA tests (`pytest -m gpu`: every family
# trains a few steps in bfloat16 and float32, the shipped models generate, a Train-tab job runs on
# cuda, memory comes back) and the GPU benchmarks (`bench/run.py --device cuda`, ours against the
# references). Writes the results under the folder given (default: gpu-check/). Without CUDA it
# says so and does nothing. Needs a CUDA build of torch==2.13.0 and `pip install -r requirements-test.txt`.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-gpu-check}"
mkdir -p "$out"
if ! python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    echo "no CUDA on this machine: nothing to check (run this on a GPU box)"
    exit 0
fi
python -c "import torch; print(torch.cuda.get_device_name(0), '| torch', torch.__version__, '| CUDA', torch.version.cuda)" \
    | tee "$out/device.txt"
status=0
timeout 300 python -m pytest -m gpu tests/gpu -q -p no:cacheprovider --junitxml="$out/gpu-tests.xml" \
    2>&1 | tee "$out/gpu-tests.txt" || status=$?
# A short time-to-quality budget keeps the whole check within about 8 minutes.
timeout 240 python bench/run.py --device cuda --time-to-quality 90 --json "$out/bench-gpu.json" \
    2>&1 | tee "$out/bench-gpu.txt" || status=$?
echo "results in $out/ (exit $status)"
exit "$status"
