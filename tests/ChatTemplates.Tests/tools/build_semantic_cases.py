"""Writes Cases/jinja2-semantics.json: focused templates for the jinja2 behaviours chat templates lean on (scoping,
loops, macros, undefined, Python value semantics, filters, tests, whitespace control, errors). Expected outputs
come from Python jinja2 through render_expected.py, configured as transformers configures it:

    python3 build_semantic_cases.py ../Cases/jinja2-semantics.json
    python3 render_expected.py ../Cases/jinja2-semantics.json
"""

import json
import sys

MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "Bye"},
]

CASES = [
    # Scoping
    ("set in loop does not leak", "{% set x = 1 %}{% for i in [1, 2] %}{% set x = i %}[{{ x }}]{% endfor %}{{ x }}", {}),
    ("loop body starts from the outer value each iteration", "{% for i in [1, 2] %}[{{ x }}]{% set x = i %}{% endfor %}", {"x": 9}),
    ("set in if leaks", "{% if true %}{% set x = 1 %}{% endif %}{{ x }}", {}),
    ("namespace escapes loops", "{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}", {"messages": MESSAGES}),
    ("set on a non-namespace fails", "{% set d = {} %}{% set d.x = 1 %}", {}),
    ("filter block has its own scope", "{% filter upper %}{% set x = 1 %}a{% endfilter %}[{{ x }}]", {}),
    ("block set has its own scope", "{% set y %}{% set x = 1 %}a{% endset %}[{{ x }}]{{ y }}", {}),
    ("block set with filters", "{% set y | trim | upper %}  hi  {% endset %}[{{ y }}]", {}),
    ("with block", "{% set a = 5 %}{% with a = 1, b = a %}{{ a }}{{ b }}{% endwith %}{{ a }}", {}),
    ("macro sees later top-level sets", "{% macro m() %}{{ y }}{% endmacro %}{% set y = 3 %}{{ m() }}", {}),
    ("macro set stays local", "{% set x = 1 %}{% macro m() %}{% set x = 2 %}{{ x }}{% endmacro %}{{ m() }}{{ x }}", {}),
    # Loops
    ("loop variables", "{% for a in 'xyz' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", {}),
    ("previtem nextitem", "{% for a in [1, 2, 3] %}{{ loop.previtem }}<{{ a }}>{{ loop.nextitem }}|{% endfor %}", {}),
    ("cycle and changed", "{% for a in [1, 1, 2] %}{{ loop.cycle('x', 'y') }}{{ loop.changed(a) }}{% endfor %}", {}),
    ("loop filter counts kept items", "{% for m in messages if m.role != 'system' %}{{ loop.index }}/{{ loop.length }}{{ m.role[0] }} {% endfor %}", {"messages": MESSAGES}),
    ("loop else", "{% for x in [] %}a{% else %}empty{% endfor %}{% for x in [1] %}a{% else %}empty{% endfor %}", {}),
    ("break and continue", "{% for i in range(10) %}{% if i is even %}{% continue %}{% endif %}{% if i > 6 %}{% break %}{% endif %}{{ i }}{% endfor %}", {}),
    ("loop over dict and items", "{% for k in d %}{{ k }}{% endfor %}|{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"b": 1, "a": 2}}),
    ("loop unpacking mismatch fails", "{% for a, b in [[1, 2, 3]] %}{% endfor %}", {}),
    ("loop over none fails", "{% for x in none %}{% endfor %}", {}),
    ("loop over undefined is empty", "{% for x in nothing %}a{% else %}b{% endfor %}", {}),
    ("break outside loop is a syntax error", "{% break %}", {}),
    ("reversed messages", "{% for m in messages[::-1] %}{{ m.role }} {% endfor %}", {"messages": MESSAGES}),
    # Macros
    ("macro defaults from earlier parameters", "{% macro m(a, b=a * 2) %}{{ a }},{{ b }}{% endmacro %}{{ m(3) }}|{{ m(3, 1) }}|{{ m(b=1) }}", {}),
    ("macro varargs and kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k='v') }}", {}),
    ("macro too many arguments", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}", {}),
    ("macro keyword for a positional parameter", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, a=2) }}", {}),
    ("macro printed", "{% macro m() %}{% endmacro %}{{ m }}", {}),
    ("recursive macro", "{% macro r(n) %}{{ n }}{% if n > 0 %}{{ r(n - 1) }}{% endif %}{% endmacro %}{{ r(5) }}", {}),
    ("call block with arguments", "{% macro each(xs) %}{% for x in xs %}[{{ caller(x) }}]{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}{{ x * 10 }}{% endcall %}", {}),
    ("caller missing", "{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}", {}),
    ("macro returning json", "{% macro j(v) %}{{ v | tojson }}{% endmacro %}{{ j({'a': [1, 2.5, none, true]}) }}", {}),
    # Undefined
    ("undefined prints empty", "[{{ nothing }}][{{ d.missing }}][{{ d['missing'] }}]", {"d": {}}),
    ("attribute of undefined fails", "{{ nothing.attr }}", {}),
    ("item of undefined fails", "{{ nothing['k'] }}", {}),
    ("attribute of none is undefined", "[{{ n.attr }}]", {"n": None}),
    ("undefined arithmetic fails", "{{ nothing + 1 }}", {}),
    ("undefined concatenates as empty", "{{ 'a' ~ nothing ~ 'b' }}", {}),
    ("undefined tests", "{{ nothing is defined }}{{ nothing is undefined }}{{ nothing is none }}{{ nothing is string }}{{ nothing is iterable }}", {}),
    ("undefined filters", "[{{ nothing | length }}][{{ nothing | trim }}][{{ nothing | list }}][{{ nothing | default('d') }}][{{ nothing | upper }}]", {}),
    ("undefined tojson fails", "{{ nothing | tojson }}", {}),
    ("call of undefined fails", "{{ nothing() }}", {}),
    ("if without else gives undefined", "[{{ 'x' if false }}]{{ ('x' if false) is defined }}", {}),
    ("out of range index is undefined", "[{{ xs[5] }}][{{ 'abc'[9] }}]{{ xs[-1] }}", {"xs": [1, 2]}),
    # Python values
    ("printing values", "{{ [1, 'a', none, true, 1.5, {'k': (1,)}, ()] }}|{{ none }}|{{ true }}|{{ 1.0 }}|{{ 1e20 }}|{{ 1e-5 }}|{{ 0.1 + 0.2 }}", {}),
    ("repr quoting", "{{ [\"it's\", 'say \"hi\"', 'both \\' \"', 'tab\\there', 'é🤗'] }}", {}),
    ("json numbers stay ints or floats", "{{ data }}|{{ data.a + 1 }}|{{ data.b * 2 }}", {"data": {"a": 1, "b": 1.5, "c": 10.0}}),
    ("integer and float arithmetic", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % -3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 10 / 5 }} {{ true + 1 }}", {}),
    ("division by zero fails", "{{ 1 // 0 }}", {}),
    ("string and list operators", "{{ 'ab' * 3 }} {{ [1] * 3 }} {{ [1] + [2] }} {{ 'a' + 'b' }} {{ (1, 2) + (3,) }}", {}),
    ("mixed concatenation fails", "{{ 'a' + 1 }}", {}),
    ("comparisons", "{{ 1 == 1.0 }}{{ 'a' < 'b' }}{{ [1, 2] < [1, 3] }}{{ 1 < 2 < 3 }}{{ 3 > 2 > 2 }}{{ (1, 2) == [1, 2] }}{{ none == none }}", {}),
    ("ordering mixed types fails", "{{ 1 < 'a' }}", {}),
    ("membership", "{{ 'a' in 'cat' }}{{ 1 in [1.0] }}{{ 'k' in {'k': 1} }}{{ 'x' not in ['y'] }}{{ true in [1] }}", {}),
    ("membership in none fails", "{{ 'a' in none }}", {}),
    ("string slicing and indexing", "{{ s[1:] }}|{{ s[:-1] }}|{{ s[::-1] }}|{{ s[-2] }}|{{ s[1:4:2] }}|{{ s | length }}", {"s": "héllo🤗"}),
    ("dict access prefers attributes for dot", "{{ d.items is defined }}|{{ d['items'] }}|{{ d.get('items') }}|{{ d.keys() | list }}", {"d": {"items": "value"}}),
    ("dict methods", "{{ d.get('a') }}{{ d.get('z', 'dflt') }}{{ d.get('z') }}|{{ d.values() | list }}|{{ d.items() }}|{{ d.keys() }}", {"d": {"a": 1, "b": [2]}}),
    ("mutating methods are unsafe", "{{ xs.append(1) }}", {"xs": []}),
    ("mutating method looked up prints empty", "[{{ xs.append }}]", {"xs": []}),
    ("dict literal keys", "{{ {1: 'a', 1.0: 'b', true: 'c', 'x': 'y'} }}", {}),
    ("percent formatting", "{{ '%s-%d-%05.2f-%r-%x' % ('a', 3, 2.5, 'q', 255) }}|{{ '%(a)s' % {'a': 1} }}|{{ '%s' % none }}", {}),
    ("str.format", "{{ '{}-{:>5}-{name}-{:.3f}-{:d}-{:x}-{:08.2f}-{:^7}-{:+d}'.format(1, 'b', 2.0, 42, 255, 3.14159, 'mid', 5, name='n') }}|{{ '{:,}'.format(1234567) }}|{{ '{!r}'.format('x') }}|{{ '{0}{1}{0}'.format('a', 'b') }}|{{ '{x[k]}'.format(x={'k': 'v'}) }}|{{ '{{}}'.format() }}", {}),
    ("str.format mixing numbering fails", "{{ '{}{0}'.format(1) }}", {}),
    # String methods
    ("strip family", "[{{ '  a b  '.strip() }}][{{ 'xxaxx'.strip('x') }}][{{ '  a'.lstrip() }}][{{ 'a  '.rstrip() }}]", {}),
    ("split family", "{{ ' a  b '.split() }}{{ 'a,b,,c'.split(',') }}{{ 'a,b,c'.split(',', 1) }}{{ 'a,b,c'.rsplit(',', 1) }}{{ 'a\\nb\\r\\nc'.splitlines() }}", {}),
    ("case methods", "{{ 'hello wORLD'.title() }}|{{ 'hello'.capitalize() }}|{{ 'AbC'.swapcase() }}|{{ 'abc'.upper() }}|{{ 'ABC'.lower() }}", {}),
    ("find and replace", "{{ 'banana'.find('an') }}{{ 'banana'.rfind('an') }}{{ 'banana'.count('a') }}{{ 'banana'.replace('a', 'o', 2) }}{{ 'banana'.startswith(('x', 'ba')) }}{{ 'banana'.endswith('na') }}", {}),
    ("partition and join", "{{ 'a=b=c'.partition('=') }}{{ 'a=b=c'.rpartition('=') }}{{ '-'.join(['x', 'y']) }}", {}),
    ("join needs strings", "{{ '-'.join([1, 2]) }}", {}),
    ("str predicates", "{{ 'abc'.isalpha() }}{{ '123'.isdigit() }}{{ ' '.isspace() }}{{ 'abc'.islower() }}{{ 'ABC'.isupper() }}", {}),
    ("removeprefix and zfill", "{{ 'prefix-x'.removeprefix('prefix-') }}{{ 'x.json'.removesuffix('.json') }}{{ '42'.zfill(5) }}{{ 'ab'.center(6, '*') }}{{ 'ab'.ljust(4, '.') }}{{ 'ab'.rjust(4) }}", {}),
    # Filters
    ("tojson options", "{{ d | tojson }}|{{ d | tojson(indent=2) }}|{{ d | tojson(separators=(',', ':')) }}|{{ d | tojson(sort_keys=true) }}|{{ d | tojson(ensure_ascii=true) }}", {"d": {"z": "é\"\\", "a": [1, 2.0, None, True], "e": {}}}),
    ("tojson positional is ensure_ascii", "{{ 'é' | tojson(true) }}", {}),
    ("tojson of a generator fails", "{{ [1] | select | tojson }}", {}),
    ("default filter", "{{ x | default('a') }}{{ none | default('b') }}{{ '' | default('c', true) }}{{ 0 | d('e', boolean=true) }}", {}),
    ("select and map", "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}|{{ messages | rejectattr('role', 'in', ['user', 'system']) | list | length }}", {"messages": MESSAGES}),
    ("map with a filter name", "{{ ['a', 'b'] | map('upper') | list }}{{ [1, 2] | map('string') | join }}{{ [{'a': {'b': 1}}] | map(attribute='a.b') | list }}{{ [{}] | map(attribute='x', default=0) | list }}", {}),
    ("length of a generator fails", "{{ messages | selectattr('role') | length }}", {"messages": MESSAGES}),
    ("last of a generator fails", "{{ messages | selectattr('role') | last }}", {"messages": MESSAGES}),
    ("generators iterate once", "{% set users = messages | selectattr('role', 'eq', 'user') %}{{ users | list | length }}{{ users | list | length }}", {"messages": MESSAGES}),
    ("first last list", "{{ [3, 1, 2] | first }}{{ [3, 1, 2] | last }}{{ 'abc' | list }}{{ {'a': 1} | list }}{{ [] | first is defined }}", {}),
    ("sort and unique", "{{ ['b', 'A', 'a', 'c'] | sort }}{{ ['b', 'A', 'a'] | sort(case_sensitive=true) }}{{ ['b', 'A', 'a', 'B'] | unique | list }}{{ users | sort(attribute='age,name') | map(attribute='name') | list }}", {"users": [{"name": "b", "age": 2}, {"name": "a", "age": 2}, {"name": "c", "age": 1}]}),
    ("dictsort and items", "{{ d | dictsort }}{{ d | dictsort(by='value', reverse=true) }}{{ d | items | list }}", {"d": {"b": 2, "A": 3, "c": 1}}),
    ("groupby", "{% for g in users | groupby('age') %}{{ g.grouper }}:{{ g.list | map(attribute='name') | join }};{% endfor %}{{ users | groupby('age') | first }}", {"users": [{"name": "b", "age": 2}, {"name": "a", "age": 2}, {"name": "c", "age": 1}]}),
    ("batch slice sum min max", "{{ [1, 2, 3, 4, 5] | batch(2) | list }}{{ [1, 2, 3, 4, 5] | batch(2, 0) | list }}{{ [1, 2, 3, 4, 5] | slice(2) | list }}{{ [1, 2, 3] | sum }}{{ [{'v': 2}, {'v': 3}] | sum(attribute='v') }}{{ [3, 1, 2] | min }}{{ ['a', 'B'] | max }}", {}),
    ("reverse", "{{ 'abc' | reverse }}{{ [1, 2] | reverse | list }}{{ (1, 2) | reverse | list }}", {}),
    ("string filters", "{{ 'hello world' | title }}|{{ 'HELLO' | capitalize }}|{{ '  x  ' | trim }}|{{ 'xxhixx' | trim('x') }}|{{ 'a-b' | replace('-', '+') }}|{{ 'a b c' | wordcount }}|{{ '<b>x</b>' | striptags }}", {}),
    ("indent filter", "[{{ 'a\\nb\\n\\nc' | indent }}][{{ 'a\\nb' | indent(2, true) }}][{{ 'a\\n\\nb' | indent('> ', blank=true) }}]", {}),
    ("truncate and center", "{{ 'hello world foo bar' | truncate(9) }}|{{ 'hello world foo bar' | truncate(9, true) }}|{{ 'abc' | center(9) }}|", {}),
    ("number filters", "{{ '42' | int }}{{ '4.7' | int }}{{ 'x' | int(7) }}{{ '0x1f' | int(base=16) }}{{ 3.9 | int }}|{{ '2.5' | float }}{{ 'x' | float }}{{ 7 | float }}|{{ -3 | abs }}{{ 2.5 | round }}{{ 3.5 | round }}{{ 2.675 | round(2) }}{{ 2.1 | round(0, 'ceil') }}{{ 1.29 | round(1, 'floor') }}", {}),
    ("escape and safe", "{{ '<a href=\"x\">&\\'' | e }}|{{ '<b>' | safe }}|{{ ('<b>' | safe) + '<i>' }}|{{ '<' ~ ('<b>' | safe) }}", {}),
    ("format filter", "{{ '%s and %s' | format('a', 'b') }}|{{ '%(x)s' | format(x=1) }}", {}),
    ("string filter and count", "{{ 3 | string }}{{ [1] | string }}{{ 'abc' | count }}{{ {'a': 1} | length }}", {}),
    ("unknown filter in an if is deferred", "{% if false %}{{ x | nosuchfilter }}{% endif %}ok", {}),
    ("unknown filter fails the parse", "{{ x | nosuchfilter }}", {}),
    ("unknown filter in a branch that runs fails", "{% if true %}{{ x | nosuchfilter }}{% endif %}", {}),
    # Tests
    ("type tests", "{{ 1 is number }}{{ true is number }}{{ true is integer }}{{ 1 is integer }}{{ 1.0 is float }}{{ 'a' is string }}{{ {} is mapping }}{{ [] is sequence }}{{ {} is sequence }}{{ 'a' is iterable }}{{ 1 is iterable }}", {}),
    ("value tests", "{{ none is none }}{{ true is true }}{{ 1 is true }}{{ false is false }}{{ 3 is odd }}{{ 4 is even }}{{ 9 is divisibleby 3 }}{{ 'a' is in 'cat' }}{{ 2 is gt 1 }}{{ 2 is ge 2 }}{{ 1 is lt 2 }}{{ 1 is ne 2 }}{{ 'x' is eq 'x' }}{{ 'x' is sameas 'x' }}", {}),
    ("callable and filter tests", "{{ range is callable }}{{ 'upper' is filter }}{{ 'odd' is test }}{{ 'x' is callable }}{{ 'ABC' is upper }}{{ 'abc' is lower }}", {}),
    ("odd of a string fails", "{{ 'a' is odd }}", {}),
    ("unknown test fails the parse", "{{ 1 is nosuchtest }}", {}),
    # Globals
    ("range and dict", "{{ range(3) }}{{ range(3) | list }}{{ range(5, 0, -2) | list }}{{ dict(a=1, b=[2]) }}{{ dict([('k', 'v')], z=0) }}", {}),
    ("range too big fails", "{{ range(1000000) | length }}", {}),
    ("cycler and joiner", "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }}{% set j = joiner('|') %}{{ j() }}x{{ j() }}y{{ j() }}", {}),
    ("raise_exception", "{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}", {"messages": MESSAGES}),
    ("strftime_now", "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M:%S') }}|{{ strftime_now('%A %B %-d %j %p %I %y %%') }}", {}),
    # Whitespace control under trim_blocks and lstrip_blocks
    ("trim and lstrip blocks", "<ul>\n  {% for m in messages %}\n    <li>{{ m.role }}</li>\n  {% endfor %}\n</ul>\n", {"messages": MESSAGES}),
    ("minus strips, plus keeps", "a  \n  {%- if true -%}  \n  b  \n  {%- endif %}\n  {%+ if true %}c{% endif +%}\nd", {}),
    ("comments and lstrip", "x\n    {# comment #}\ny {#- tight -#} z\n", {}),
    ("variables are not lstripped", "a\n    {{ 'b' }}\n", {}),
    ("raw block", "{% raw %}{{ not parsed }}{% endraw %}|{%- raw -%}  {{ x }}  {%- endraw %}", {}),
    ("one trailing newline is dropped", "line\n\n", {}),
    ("crlf newlines are normalised", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\nc", {}),
    ("generation block", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}|{% endfor %}", {"messages": MESSAGES}),
    ("string literal escapes", "{{ 'a\\tb\\\\c\\x41\\u00e9\\101\\q' }}|{{ \"it's\" }}|{{ 'x' 'y' \"z\" }}", {}),
    ("numeric literals", "{{ 1_000 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1.5e3 }} {{ 2E-3 }}", {}),
    ("tuples and conditional expressions", "{{ 1, 2 }}|{{ (1,) }}|{{ 'a' if x else 'b' if y else 'c' }}", {"x": False, "y": False}),
    ("filters bind tighter than unary minus", "{{ -3 | abs }}|{{ -(3 | abs) }}|{{ not 1 in [1] }}|{{ -2 ** 2 }}", {}),
    ("errors name the line", "line 1\n{% for m in messages %}\n{{ m.content + 1 }}\n{% endfor %}", {"messages": MESSAGES}),
    ("syntax error", "{% if %}x{% endif %}", {}),
    ("unclosed block", "{% for x in y %}", {}),
    ("unknown tag", "{% do x.append(1) %}", {}),
    ("unclosed string", "{{ 'abc }}", {}),
    ("unexpected character", "{{ a ! b }}", {}),
    ("assign to a literal", "{% set 1 = 2 %}", {}),
    ("keywords as names", "{% set if = 'x' %}{{ if }}{% for in in [1] %}{{ in }}{% endfor %}", {}),
]


def main(output):
    cases = [
        {"name": name, "template": template, "context": context, "options": {"trim_blocks": True, "lstrip_blocks": True}}
        for name, template, context in CASES
    ]
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    with open(output, "w", encoding="utf-8") as f:
        json.dump({"source": "tools/build_semantic_cases.py", "cases": cases}, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"{output}: {len(cases)} cases")


if __name__ == "__main__":
    main(sys.argv[1])
