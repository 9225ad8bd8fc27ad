#!/usr/bin/env bash
# Regenerates models/demo/ from nothing but this repository: corpus -> tokenizer -> pretrain, then prints greedy
# samples and the base model's score on the demo task. See docs/demo-model.md for what each step does and how long
# it takes. Intermediate files go to artifacts/demo/ (git-ignored).
#
#   tools/make-demo-model.sh            # about 8 minutes on 2 CPU cores
#
# THREADS (default 1) is libtorch's thread count for pretraining. The result does not depend on it; the time does:
# on an idle 2-core machine THREADS=2 is faster, on a shared one 1 is (spinning threads wait on each other).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=artifacts/demo
threads=${THREADS:-1}

dotnet build tools/DemoModel -c Release --nologo -v quiet
demo_model() { dotnet tools/DemoModel/bin/Release/net10.0/demo-model.dll "$@"; }
step() { echo "== $*"; }

mkdir -p "$work"
SECONDS=0
step "corpus"
demo_model corpus --out "$work/corpus.txt" --size-mb 10 --seed 1
step "tokenizer"
demo_model tokenizer --corpus "$work/corpus.txt" --vocab-size 2048 --model-max-length 256 --out "$work/tokenizer"
step "pretrain"
demo_model pretrain --corpus "$work/corpus.txt" --tokenizer "$work/tokenizer" --out models/demo \
    --hidden 256 --layers 4 --heads 4 --kv-heads 2 --intermediate 688 --context 256 \
    --steps 400 --batch 8 --lr 3e-3 --warmup 30 --weight-decay 0.01 --seed 1 --threads "$threads" --log-every 25
echo "corpus + tokenizer + pretrain: ${SECONDS} s"

step "samples"
demo_model sample --model models/demo
step "base model on the demo task (held-out)"
demo_model score --model models/demo --task datasets/demo-task/heldout.jsonl
