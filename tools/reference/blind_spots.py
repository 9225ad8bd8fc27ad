"""Golden cases for what tests/fixtures/hf leaves untested: norm weights other than 1, non-zero GPT-2 biases and
linear RoPE scaling. Run with the reference stack of shared/reference/README.md (real transformers, float32, CPU):

    source <reference env>; /usr/bin/python3 tools/reference/blind_spots.py tests/fixtures/hf

Writes <family>/base and cases/<family>__base in the layout of tests/fixtures/hf/README.md, and prints the sha256
of every file it wrote. Two runs give bit-identical files.
"""
import hashlib
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

PROMPTS = {
    "p0": [1, 272, 109, 383, 218],
    "p1": [1, 323, 202, 333, 73, 88, 123, 89, 267, 145, 178],
    "p2": [1, 88, 338, 176, 257, 194, 296, 231, 354, 139, 5, 228, 243, 208, 307, 47, 198],
}
NEW_TOKENS = 16

LLAMA = dict(vocab_size=384, hidden_size=64, intermediate_size=128, num_hidden_layers=3, num_attention_heads=4,
             num_key_value_heads=2, hidden_act="silu", max_position_embeddings=256, rope_theta=10000.0,
             rms_norm_eps=1e-5, tie_word_embeddings=False, initializer_range=0.2, bos_token_id=1, eos_token_id=2,
             attention_bias=False, mlp_bias=False, attn_implementation="eager")
GPT2 = dict(vocab_size=384, n_positions=128, n_embd=64, n_layer=2, n_head=4, n_inner=None,
            activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
            layer_norm_epsilon=1e-5, initializer_range=0.2, bos_token_id=383, eos_token_id=383,
            attn_implementation="eager")


def randomise(model, seed, norms, biases):
    """HF leaves norm weights at 1 and biases at 0: draw them instead, so code that ignores them fails."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            is_norm = "norm" in name or ".ln_" in name or name.startswith("transformer.ln_f")
            if norms and is_norm and name.endswith("weight"):
                p.copy_(torch.empty_like(p).uniform_(0.5, 1.5, generator=g))
            elif biases and name.endswith("bias"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.2)


FAMILIES = {
    # Every RMSNorm weight (input, post-attention, final) drawn from U(0.5, 1.5).
    "llama_norms": lambda: (LlamaForCausalLM(LlamaConfig(**LLAMA)), dict(norms=True, biases=False), 2024),
    # Every bias (c_attn, attn c_proj, c_fc, mlp c_proj, LayerNorm) ~ N(0, 0.2); LayerNorm weights ~ U(0.5, 1.5).
    "gpt2_bias": lambda: (GPT2LMHeadModel(GPT2Config(**GPT2)), dict(norms=True, biases=True), 2025),
    # rope_scaling {"rope_type": "linear", "factor": 4}: positions (equivalently inverse frequencies) divided by 4.
    "llama_linrope": lambda: (LlamaForCausalLM(LlamaConfig(**LLAMA, rope_scaling={"rope_type": "linear", "factor": 4.0})),
                              dict(norms=False, biases=False), 2026),
}


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def make(root, family):
    build = FAMILIES[family]
    torch.manual_seed({"llama_norms": 3001, "gpt2_bias": 3002, "llama_linrope": 3003}[family])
    model, randomisation, seed = build()
    randomise(model, seed, **randomisation)
    model.eval()
    base = os.path.join(root, family, "base")
    model.save_pretrained(base, safe_serialization=True)
    case_dir = os.path.join(root, "cases", f"{family}__base")
    os.makedirs(case_dir, exist_ok=True)

    tensors, prompts = {}, []
    for name, ids in PROMPTS.items():
        x = torch.tensor([ids])
        with torch.no_grad():
            all_logits = model(x).logits[0]
            out = model.generate(x, do_sample=False, num_beams=1, eos_token_id=None, pad_token_id=0,
                                 max_new_tokens=NEW_TOKENS, output_logits=True, return_dict_in_generate=True,
                                 synced_gpus=False)
        steps = torch.stack([s[0] for s in out.logits])
        new_tokens = out.sequences[0, len(ids):].tolist()
        top2 = steps.topk(2, dim=-1).values
        margins = (top2[:, 0] - top2[:, 1]).tolist()
        tensors[f"{name}.last_logits"] = all_logits[-1].clone()
        tensors[f"{name}.gen_step_logits"] = steps.clone()
        if name == "p2":
            tensors[f"{name}.all_logits"] = all_logits.clone()
        prompts.append(dict(name=name, input_ids=ids, greedy_new_tokens=new_tokens,
                            step_top1_minus_top2=margins, min_margin=min(margins)))

    expected = dict(case=f"{family}__base", family=family, base_dir=f"{family}/base", adapter_dir=None, peft_type=None,
                    prompts=prompts, randomised=randomisation, logits_file="logits.safetensors",
                    logits_tensors={k: list(v.shape) for k, v in tensors.items()},
                    generator="tools/reference/blind_spots.py")
    if hasattr(model.model if hasattr(model, "model") else model, "rotary_emb"):
        rotary = model.model.rotary_emb
        expected["rope"] = dict(rope_type=model.config.rope_scaling["rope_type"] if model.config.rope_scaling else "default",
                                head_dim=model.config.hidden_size // model.config.num_attention_heads,
                                rope_theta=model.config.rope_theta,
                                inv_freq_hf_float32=rotary.inv_freq.tolist())
    save_file(tensors, os.path.join(case_dir, "logits.safetensors"), metadata={"format": "pt", "case": f"{family}__base"})
    with open(os.path.join(case_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    for d in (base, case_dir):
        for file in sorted(os.listdir(d)):
            print(sha(os.path.join(d, file)), os.path.relpath(os.path.join(d, file), root))


if __name__ == "__main__":
    for family in FAMILIES:
        make(sys.argv[1], family)
