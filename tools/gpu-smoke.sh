#!/usr/bin/env bash
# One short run on a real GPU machine, turned into fixtures: everything lands in one folder (default
# ./gpu-smoke-<date>) that can be copied under tests/fixtures/hosts/ as it is.
#
#   tools/gpu-smoke.sh [OUT_DIR] [PYTHON...]
#
# PYTHON: interpreters to inspect (a venv per framework, say); default: python3 on PATH. For each one:
#   capture/           `whynogpu capture` (the raw outputs the probes read, redacted; `check --replay` reads it)
#   check.json         `whynogpu check -v --json` with the live probes (TF_CPP_MIN_LOG_LEVEL=0 inside them)
#   check.txt          the same verdict as text, for a human
#   watch.json/.txt    `whynogpu watch` of a few seconds of real work on the GPU, when `watch` exists
# and, once per machine, nvidia-smi's plain, -q and --query-gpu outputs and `whynogpu --version`.
# Nothing is installed, nothing is sent anywhere; read the folder before you share it.
set -u
out=${1:-gpu-smoke-$(date +%Y%m%d-%H%M%S)}
shift || true
pythons=("$@")
[ ${#pythons[@]} -eq 0 ] && pythons=("$(command -v python3)")
wg=${WHYNOGPU:-whynogpu}
mkdir -p "$out" || exit 2

run() {  # run CMD..., keeping its output and exit code, never stopping the script
  local name=$1; shift
  "$@" >"$out/$name" 2>"$out/$name.stderr"
  echo "$?" >"$out/$name.rc"
}

"$wg" --version >"$out/whynogpu-version.txt" 2>&1
if command -v nvidia-smi >/dev/null; then
  run nvidia-smi.txt nvidia-smi
  run nvidia-smi-q.txt nvidia-smi -q
  run nvidia-smi-query.csv nvidia-smi --query-gpu=index,name,uuid,pci.bus_id,driver_version,memory.total,memory.used,utilization.gpu,compute_mode,compute_cap --format=csv
fi

# A few seconds of real matmuls in whichever framework the interpreter has (first found wins).
work='
import importlib.util as u, time
t = time.time()
if u.find_spec("torch"):
    import torch
    a = torch.randn(4096, 4096, device="cuda")
    while time.time() - t < 8: (a @ a).sum().item()
elif u.find_spec("tensorflow"):
    import tensorflow as tf
    a = tf.random.normal((4096, 4096))
    while time.time() - t < 8: float(tf.reduce_sum(a @ a))
elif u.find_spec("jax"):
    import jax, jax.numpy as jnp
    a = jax.random.normal(jax.random.PRNGKey(0), (4096, 4096))
    while time.time() - t < 8: float((a @ a).sum())
'

i=0
for py in "${pythons[@]}"; do
  d="$out/env$i"; i=$((i + 1))
  mkdir -p "$d"
  echo "$py" >"$d/python.txt"
  "$wg" capture --python "$py" "$d/capture" >"$d/capture.txt" 2>&1
  TF_CPP_MIN_LOG_LEVEL=0 "$wg" check -v --json --python "$py" >"$d/check.json" 2>"$d/check.stderr"
  "$wg" check -v --python "$py" >"$d/check.txt" 2>&1
  if "$wg" watch --help >/dev/null 2>&1; then
    "$wg" watch --interval 0.5 --json "$d/watch.json" -- "$py" -c "$work" >"$d/watch.txt" 2>&1
  fi
done
echo "wrote $out: copy a capture/ folder under tests/fixtures/hosts/<name>/ with a SOURCE.md to make it a test"
