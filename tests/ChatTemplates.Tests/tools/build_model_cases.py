"""Writes Cases/hf-models.json: real models' chat templates (Cases/templates/*.jinja) crossed with conversations,
as transformers' apply_chat_template would be called with them. Expected outputs are then added by
render_expected.py, so the two steps are:

    python3 build_model_cases.py ../Cases/hf-models.json
    python3 render_expected.py ../Cases/hf-models.json

The templates are the Hugging Face Hub chat templates that llama.cpp keeps verbatim in models/templates (fetched
with its scripts/get_chat_template.py); see Cases/README.md. Special tokens are those of each model's tokenizer
config. Each case also says how the C# test stores the template in its temporary model directory (in
tokenizer_config.json or as chat_template.jinja) and whether bos_token is written as an AddedToken object, so the
loader's paths are covered too; none of that changes the expected rendering.
"""

import json
import os
import sys

LLAMA3 = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}
QWEN = {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}
DEEPSEEK = {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"}
MISTRAL = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
COHERE = {"bos_token": "<BOS_TOKEN>", "eos_token": "<|END_OF_TURN_TOKEN|>", "pad_token": "<PAD>"}

SPECIAL_TOKENS = {
    "ByteDance-Seed-OSS": {"bos_token": "<seed:bos>", "eos_token": "<seed:eos>", "pad_token": "<seed:pad>"},
    "CohereForAI-c4ai-command-r-plus-tool_use": COHERE,
    "CohereForAI-c4ai-command-r7b-12-2024-tool_use": COHERE,
    "Mistral-Small-3.2-24B-Instruct-2506": MISTRAL,
    "NVIDIA-Nemotron-Nano-v2": {"bos_token": "<SPECIAL_10>", "eos_token": "<SPECIAL_11>"},
    "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use": {"bos_token": "<|begin_of_text|>", "eos_token": "<|im_end|>"},
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use": {"bos_token": "<|begin_of_text|>", "eos_token": "<|im_end|>"},
    "Qwen-QwQ-32B": QWEN,
    "Qwen-Qwen2.5-7B-Instruct": QWEN,
    "Qwen-Qwen3-0.6B": QWEN,
    "deepseek-ai-DeepSeek-R1-Distill-Llama-8B": DEEPSEEK,
    "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B": DEEPSEEK,
    "deepseek-ai-DeepSeek-V3.1": DEEPSEEK,
    "fireworks-ai-llama-3-firefunction-v2": LLAMA3,
    "google-gemma-2-2b-it": {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>"},
    "ibm-granite-granite-3.3-2B-Instruct": {"bos_token": "<|end_of_text|>", "eos_token": "<|end_of_text|>"},
    "meetkai-functionary-medium-v3.1": LLAMA3,
    "meetkai-functionary-medium-v3.2": LLAMA3,
    "meta-llama-Llama-3.1-8B-Instruct": LLAMA3,
    "meta-llama-Llama-3.2-3B-Instruct": LLAMA3,
    "meta-llama-Llama-3.3-70B-Instruct": LLAMA3,
    "microsoft-Phi-3.5-mini-instruct": {"bos_token": "<s>", "eos_token": "<|endoftext|>", "unk_token": "<unk>", "pad_token": "<|endoftext|>"},
    "mistralai-Mistral-Nemo-Instruct-2407": MISTRAL,
    "moonshotai-Kimi-K2": {"bos_token": "[BOS]", "eos_token": "[EOS]"},
    "openai-gpt-oss-120b": {"bos_token": "<|startoftext|>", "eos_token": "<|return|>", "pad_token": "<|endoftext|>"},
    "unsloth-mistral-Devstral-Small-2507": MISTRAL,
}

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city, e.g. \"Paris\""},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}

TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Current local time in a time zone.",
        "parameters": {
            "type": "object",
            "properties": {"timezone": {"type": "string", "description": "IANA name, e.g. Europe/Paris"}},
            "required": ["timezone"],
        },
    },
}

SYSTEM = {"role": "system", "content": "You are a concise assistant."}
USER = {"role": "user", "content": "What is the capital of France?"}
ASSISTANT = {"role": "assistant", "content": "Paris."}
FOLLOW_UP = {"role": "user", "content": "And its population, in words?"}
TOOL_QUESTION = {"role": "user", "content": "What's the weather in Paris right now?"}
TOOL_CALL = {
    "role": "assistant",
    "content": "",
    "tool_calls": [
        {"id": "abc123def", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}
    ],
}
TOOL_RESULT = {"role": "tool", "tool_call_id": "abc123def", "name": "get_weather", "content": "{\"temperature\": 22, \"sky\": \"clear\"}"}

SCENARIOS = [
    ("chat", {"messages": [SYSTEM, USER, ASSISTANT, FOLLOW_UP], "add_generation_prompt": True}),
    ("chat without system or generation prompt", {"messages": [USER, ASSISTANT], "add_generation_prompt": False}),
    ("one user turn, non-ASCII", {"messages": [{"role": "user", "content": "  Bonjour ! Ça va ? 🤗 \"quotes\" \\ backslash\n"}], "add_generation_prompt": True}),
    ("tools offered", {"messages": [SYSTEM, TOOL_QUESTION], "tools": [WEATHER, TIME], "add_generation_prompt": True}),
    ("tool call and result", {"messages": [TOOL_QUESTION, TOOL_CALL, TOOL_RESULT], "tools": [WEATHER], "add_generation_prompt": True}),
    ("content as parts", {"messages": [{"role": "user", "content": [{"type": "text", "text": "Describe the sky."}]}], "add_generation_prompt": True}),
    ("documents", {"messages": [USER], "documents": [{"title": "France", "text": "Paris is the capital of France."}], "add_generation_prompt": True}),
    ("chat_template_kwargs", {
        "messages": [SYSTEM, USER],
        "add_generation_prompt": True,
        "extra": {"enable_thinking": False, "date_string": "01 Jan 2025", "tools_in_user_message": False, "reasoning_effort": "high"},
    }),
]


def main(output):
    template_dir = os.path.join(os.path.dirname(os.path.abspath(output)), "templates")
    cases = []
    for model in sorted(SPECIAL_TOKENS):
        if not os.path.exists(os.path.join(template_dir, model + ".jinja")):
            raise SystemExit(f"missing template {model}.jinja")
        for index, (scenario, context) in enumerate(SCENARIOS):
            cases.append({
                "name": f"{model}: {scenario}",
                "kind": "apply_chat_template",
                "template_file": f"templates/{model}.jinja",
                "special_tokens": SPECIAL_TOKENS[model],
                "storage": "chat_template.jinja" if index % 3 == 2 else "tokenizer_config.json",
                "bos_as_added_token": index % 2 == 1,
                "context": context,
                "options": {"trim_blocks": True, "lstrip_blocks": True},
            })
    with open(output, "w", encoding="utf-8") as f:
        json.dump({
            "source": "Hugging Face Hub chat templates as kept in llama.cpp models/templates (ggml-org/llama.cpp, "
                      "mirror ye-NX/llama.cpp@1eeb523c), crossed with the conversations in tools/build_model_cases.py",
            "cases": cases,
        }, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"{output}: {len(cases)} cases")


if __name__ == "__main__":
    main(sys.argv[1])
