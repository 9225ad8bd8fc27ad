"""Renders every case file's templates with Python jinja2, configured as transformers configures it, and writes the
result into each case as `expected` (or `expected_error` when jinja2 raises). These are the outputs our engine must
reproduce byte for byte.

Usage: python3 render_expected.py <case file>...   (jinja2 >= 3.1; any Python 3.9+)

The environment mirrors transformers' `_compile_jinja_template` (src/transformers/utils/chat_template_utils.py):
an ImmutableSandboxedEnvironment with the loopcontrols extension, a `{% generation %}` block that renders its body,
a `tojson` filter that is plain json.dumps (ensure_ascii=False by default, no HTML escaping), and the globals
`raise_exception` and `strftime_now`. trim_blocks/lstrip_blocks come from each case's `options` (transformers sets
both; the peer's unit tests run with neither). The clock behind `strftime_now` is fixed at 2025-07-10T12:00:00,
the instant the peer's end-to-end tests fix.

A case's template is its `template` text or the file its `template_file` names (relative to the case file).
Its `context` is passed to render() as is, except {"$function": name} stand-ins for the peer's JavaScript test
functions, which become the Python callables below. Cases whose `kind` is "apply_chat_template" are rendered as
transformers' apply_chat_template(tokenize=False) renders: messages, tools, documents and add_generation_prompt always
passed (None when absent), the tokenizer's special tokens, then the extra keyword arguments.
"""

import datetime
import json
import os
import sys

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIXED_NOW = datetime.datetime(2025, 7, 10, 12, 0, 0)


class GenerationBlock(Extension):
    """`{% generation %}...{% endgeneration %}` renders its body (transformers tracks assistant spans with it)."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def make_environment(trim_blocks, lstrip_blocks):
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return FIXED_NOW.strftime(format)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=trim_blocks,
        lstrip_blocks=lstrip_blocks,
        extensions=[GenerationBlock, "jinja2.ext.loopcontrols"],
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


FUNCTIONS = {
    "add": lambda x, y: x + y,
    "count_args": lambda *args: len(args),
    "join_args": lambda *args: "".join(args),
    "join_args_underscore": lambda *args: "_".join(args),
    "noop": lambda *args: None,
}


def with_functions(value):
    if isinstance(value, dict):
        if set(value) == {"$function"}:
            return FUNCTIONS[value["$function"]]
        return {k: with_functions(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_functions(v) for v in value]
    return value


def template_text(case, case_file):
    if "template_file" in case:
        with open(os.path.join(os.path.dirname(os.path.abspath(case_file)), case["template_file"]), encoding="utf-8") as f:
            return f.read()
    return case["template"]


def render(case, case_file):
    options = case.get("options", {})
    env = make_environment(options.get("trim_blocks", True), options.get("lstrip_blocks", True))
    context = with_functions(case.get("context", {}))
    template = env.from_string(template_text(case, case_file))
    if case.get("kind") == "apply_chat_template":
        kwargs = dict(case.get("special_tokens", {}))
        kwargs.update(context.get("extra", {}))
        return template.render(
            messages=context["messages"],
            tools=context.get("tools"),
            documents=context.get("documents"),
            add_generation_prompt=context.get("add_generation_prompt", False),
            **kwargs,
        )
    return template.render(**context)


def main(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        data["renderer"] = f"Python jinja2 {jinja2.__version__} (tools/render_expected.py)"
        differ = 0
        for case in data["cases"]:
            case.pop("expected", None)
            case.pop("expected_error", None)
            try:
                case["expected"] = render(case, path)
            except Exception as error:  # the expected outcome is this error
                case["expected_error"] = f"{type(error).__name__}: {error}"
            if "peer_expected" in case and case.get("expected") != case["peer_expected"]:
                differ += 1
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
            f.write("\n")
        print(f"{path}: {len(data['cases'])} cases, {differ} where the peer expects otherwise")


if __name__ == "__main__":
    main(sys.argv[1:])
