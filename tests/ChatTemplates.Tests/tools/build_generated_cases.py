"""Writes Cases/jinja2-generated.json: randomly generated templates (a fixed seed, so the file is reproducible) that
exercise operator, filter, test and method combinations on mixed Python values, and whitespace control (trim_blocks,
lstrip_blocks, "-" and "+" markers, comments, block sets) under all four option settings. Expected outputs come from
Python jinja2 through render_expected.py:

    python3 build_generated_cases.py ../Cases/jinja2-generated.json
    python3 render_expected.py ../Cases/jinja2-generated.json
"""

import json
import random
import sys

ATOMS = ["1", "0", "-3", "2.5", "0.1", "1e3", "'a'", "'Ab c'", "''", "'  x '", "true", "false", "none", "[1, 2, 3]", "['b', 'a']", "[]",
         "{'k': 1, 'j': 'v'}", "{}", "(1, 'x')", "x", "y", "s", "xs", "d", "nothing", "d.k", "d['j']", "xs[0]", "xs[-1]", "s[1:]", "xs[::2]"]
BIN = ["+", "-", "*", "/", "//", "%", "~", "==", "!=", "<", ">", "<=", ">=", "and", "or", "in", "not in", "**"]
FILTERS = ["length", "upper", "lower", "trim", "first", "last", "list", "string", "int", "float", "abs", "tojson", "capitalize", "title",
           "sort", "unique|list", "reverse|list", "join(',')", "default('D')", "d(1, true)", "round", "round(1)", "sum", "min", "max", "items|list",
           "dictsort", "select|list", "reject|list", "map('string')|list", "batch(2)|list", "replace('a', 'z')", "indent(2)", "center(7)", "count",
           "wordcount", "e", "safe", "tojson(indent=1)", "tojson(sort_keys=true)", "selectattr('k')|list"]
TESTS = ["defined", "undefined", "none", "number", "string", "mapping", "sequence", "iterable", "integer", "float", "boolean", "odd", "even",
         "true", "false", "lower", "upper", "callable", "eq 1", "in [1, 'a']", "divisibleby 2"]
METHODS = ["upper()", "lower()", "strip()", "split()", "split('b')", "title()", "startswith('a')", "endswith('c')", "replace('a', 'q')",
           "find('b')", "count('a')", "capitalize()", "lstrip('A')", "rstrip()", "zfill(4)", "center(5, '*')", "partition(' ')", "splitlines()",
           "isalpha()", "isdigit()", "format(1)"]


def expr(d=0):
    r = random.random()
    if d > 2 or r < 0.3: return random.choice(ATOMS)
    if r < 0.5: return f"({expr(d+1)} {random.choice(BIN)} {expr(d+1)})"
    if r < 0.65: return f"({expr(d+1)} | {random.choice(FILTERS)})"
    if r < 0.75: return f"({expr(d+1)} is {random.choice(['', 'not '])}{random.choice(TESTS)})"
    if r < 0.85: return f"('{random.choice(['a b c', 'Abc', ' x ', 'ab'])}'.{random.choice(METHODS)})"
    if r < 0.9: return f"(not {expr(d+1)})"
    if r < 0.95: return f"(-{expr(d+1)})"
    return f"({expr(d+1)} if {expr(d+1)} else {expr(d+1)})"


TEXT = ["", " ", "  ", "\n", " \n", "\n  ", "a", " a ", "\t", "\n\n", "x\n", "  \n  "]


def tag(kind, body):
    l = random.choice(["", "-", "+"]) if kind != "{{" else random.choice(["", "-"])
    r = random.choice(["", "-", "+"]) if kind != "{{" else random.choice(["", "-"])
    close = {"{{": "}}", "{%": "%}", "{#": "#}"}[kind]
    return kind + l + " " + body + " " + r + close


def block(d=0):
    parts = []
    for _ in range(random.randint(1, 4)):
        parts.append(random.choice(TEXT))
        r = random.random()
        if r < 0.3: parts.append(tag("{{", random.choice(["1", "'v'", "loop.index if loop is defined else 0"])))
        elif r < 0.45: parts.append(tag("{#", "c"))
        elif r < 0.6 and d < 2: parts.append(tag("{%", "if " + random.choice(["true", "false"])) + block(d+1) + tag("{%", "else") + block(d+1) + tag("{%", "endif"))
        elif r < 0.75 and d < 2: parts.append(tag("{%", "for i in [1, 2]") + block(d+1) + tag("{%", "endfor"))
        elif r < 0.85: parts.append(tag("{%", "set z = 1"))
        elif r < 0.9 and d < 2: parts.append(tag("{%", "set b") + block(d+1) + tag("{%", "endset") + "{{ b }}")
        parts.append(random.choice(TEXT))
    return "".join(parts)


def main(output, count=1000):
    random.seed(20250710)
    context = {"x": 5, "y": -2.5, "s": "Hello", "xs": [3, 1, 2], "d": {"k": 1, "j": "v"}}
    cases = []
    for i in range(count):
        cases.append({"name": f"expression {i:04}", "template": "{{ " + expr() + " }}", "context": context,
                      "options": {"trim_blocks": True, "lstrip_blocks": True}})
    for i in range(count):
        trim, lstrip = random.choice([(True, True), (False, False), (True, False), (False, True)])
        cases.append({"name": f"whitespace {i:04}", "template": block() + random.choice(["", "\n", "\n\n"]), "context": {},
                      "options": {"trim_blocks": trim, "lstrip_blocks": lstrip}})
    with open(output, "w", encoding="utf-8") as f:
        json.dump({"source": "tools/build_generated_cases.py", "cases": cases}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{output}: {len(cases)} cases")


if __name__ == "__main__":
    main(sys.argv[1])
