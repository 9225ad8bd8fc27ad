#!/bin/bash
# Batch-1 decode: ours fp32 vs INT8 (one process per round, variants taking turns), then llama.cpp F32 and Q8_0, 1 thread.
set -u
cd /work/wt/int8
export LD_LIBRARY_PATH=/work/peer/llama.cpp/build/bin
B=/tmp/int8-bench
for r in 1 2 3; do
  echo "=== round $r ours $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "ours wall %e s" dotnet run -c Release --no-build --project load-tests -- forward --models /work/peer/models/bench/base \
    --quantize none,int8 --batches 1,1 --decode-steps 16 --reps 1 --prompt 128 --threads 1 --out $B/r$r --name forward-r$r 2>&1 | grep -E "decode|prefill|resident|wall|rror"
  echo "=== round $r llama.cpp $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "llama wall %e s" /work/peer/llama.cpp/build/bin/llama-bench -m /work/peer/models/gguf/bench-f32.gguf -m $B/bench-q8_0.gguf \
    -p 0 -n 64 -d 128 -t 1 -r 3 -o md 2>&1 | grep -E "\|| wall|rror"
done
echo "=== end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
