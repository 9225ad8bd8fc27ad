#!/bin/bash
# Batch-1 INT8 decode: main (daa87a5) against the decode-ops tree against llama.cpp Q8_0, 1 thread, all on core 0 (the other core ran another benchmark), rounds alternating.
set -u
export LD_LIBRARY_PATH=/work/peer/llama.cpp/build/bin
B=/tmp/int8cmp
for r in 1 2 3; do   # then again as rounds 4-8 with --decode-steps 64
  for t in main decode-ops; do
    dir=/work/main; [ $t = decode-ops ] && dir=/work/wt/decode-ops
    cd $dir
    echo "=== round $r ours $t $(git rev-parse --short HEAD) $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    taskset -c 0 dotnet run -c Release --no-build --project load-tests -- forward --models /work/peer/models/bench/base \
      --quantize int8,none --batches 1 --decode-steps 32 --reps 2 --prompt 128 --threads 1 --out $B/$t-r$r --name forward-$t-r$r 2>&1 | grep -E "decode|prefill|rror"
  done
  echo "=== round $r llama.cpp $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  taskset -c 0 /work/peer/llama.cpp/build/bin/llama-bench -m /tmp/int8-peer/bench-q8_0.gguf -m /work/peer/models/gguf/bench-f32.gguf \
    -p 0 -n 64 -d 128 -t 1 -r 3 -o md 2>&1 | grep -E "\||rror"
done
echo "=== end $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
