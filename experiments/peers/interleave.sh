#!/usr/bin/env bash
# Interleaves `fulcrum bench` and the PyTorch peer, workload by workload, so machine drift hits both.
#   experiments/peers/interleave.sh [THREADS] [ROUNDS]     (needs python3 with torch, and a release build)
set -euo pipefail
threads=${1:-1}
rounds=${2:-2}
python=${PYTHON:-python3}
fulcrum=${FULCRUM:-.build/release/fulcrum}
for round in $(seq "$rounds"); do
  for workload in mlp mlp-gram mlp-rep-gram cnn; do
    f=$("$fulcrum" bench --threads "$threads" --only "$workload" --json | tail -1)
    t=$("$python" experiments/peers/torch_peer.py --threads "$threads" --only "$workload" --json 2>/dev/null | tail -1)
    "$python" - "$round" "$f" "$t" <<'PY'
import json, sys
round_, f, t = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f"round {round_} {f['name']:<13} threads {f['threads']}  fulcrum {f['millisecondsPerStep']:7.2f} ms  "
      f"torch {t['millisecondsPerStep']:7.2f} ms  speed-up {t['millisecondsPerStep'] / f['millisecondsPerStep']:.2f}x  "
      f"RSS {f['peakResidentMegabytes']:.0f} / {t['peakResidentMegabytes']:.0f} MB")
PY
  done
done
