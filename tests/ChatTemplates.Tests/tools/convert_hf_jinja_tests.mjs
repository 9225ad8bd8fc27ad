// Converts the template tests of @huggingface/jinja (huggingface.js, packages/jinja/test) into JSON case files.
// Usage: node convert_hf_jinja_tests.mjs <huggingface.js checkout> <output folder>
// Each test file is evaluated as a module with its vitest harness cut off, so its constants are read exactly as
// the peer's tests see them; nothing is retyped by hand. Functions in test contexts cannot be data: each known one
// becomes {"$function": "<name>"} and the C# and Python sides supply the same behaviour under that name.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [root, outDir] = process.argv.slice(2);
if (!root || !outDir) {
	console.error("usage: node convert_hf_jinja_tests.mjs <huggingface.js checkout> <output folder>");
	process.exit(2);
}
const testDir = path.join(root, "packages", "jinja", "test");

// Source text of each context function in the peer's tests, and the name our harnesses know it by.
const FUNCTIONS = new Map([
	["(x, y) => x + y", "add"],
	["(...args) => args.length", "count_args"],
	['(...args) => args.join("")', "join_args"],
	['(...args) => args.join("_")', "join_args_underscore"],
	["() => {}", "noop"],
]);

function toData(value) {
	return JSON.parse(
		JSON.stringify(value, (_key, v) => {
			if (typeof v === "function") {
				const name = FUNCTIONS.get(v.toString());
				if (!name) throw new Error(`unknown context function: ${v.toString()}`);
				return { $function: name };
			}
			if (v === undefined) throw new Error("undefined in a test context cannot be data");
			return v;
		}),
	);
}

// Loads a test file's top-level constants: everything before the first describe(...), imports removed.
async function loadConstants(file, names) {
	const source = fs.readFileSync(path.join(testDir, file), "utf8");
	const body = source
		.slice(0, source.search(/^describe\(/m))
		.replace(/^import .*$/gm, "");
	const tmp = path.join(outDir, `.${file}.mjs`);
	fs.writeFileSync(tmp, `${body}\nexport { ${names.join(", ")} };\n`);
	try {
		return await import(pathToFileURL(tmp).href);
	} finally {
		fs.unlinkSync(tmp);
	}
}

// The whitespace-option cases of interpreter.test.js live inside an it(...) body: evaluate that body's TESTS array.
function loadInterpreterCases() {
	const source = fs.readFileSync(path.join(testDir, "interpreter.test.js"), "utf8");
	const start = source.indexOf("const EXAMPLE_IF_TEMPLATE");
	const end = source.indexOf("for (const test of TESTS)");
	const body = source.slice(start, end);
	return new Function(`${body}; return TESTS;`)();
}

function write(name, description, cases) {
	const file = path.join(outDir, name);
	fs.writeFileSync(file, JSON.stringify({ source: description, cases }, null, 2) + "\n");
	console.log(`${file}: ${cases.length} cases`);
}

fs.mkdirSync(outDir, { recursive: true });
const revision = process.env.HF_JS_REVISION ?? "unknown";

const templates = await loadConstants("templates.test.js", ["TEST_STRINGS", "TEST_CONTEXT", "EXPECTED_OUTPUTS"]);
write(
	"hf-jinja-templates.json",
	`huggingface.js@${revision} packages/jinja/test/templates.test.js (TEST_STRINGS, TEST_CONTEXT, EXPECTED_OUTPUTS); ` +
		"rendered by the peer with default lexer options (no trim_blocks, no lstrip_blocks)",
	Object.keys(templates.TEST_STRINGS).map((name) => ({
		name,
		template: templates.TEST_STRINGS[name],
		context: toData(templates.TEST_CONTEXT[name] ?? {}),
		options: { trim_blocks: false, lstrip_blocks: false },
		peer_expected: templates.EXPECTED_OUTPUTS[name] ?? null,
	})),
);

const interpreter = loadInterpreterCases();
write(
	"hf-jinja-whitespace.json",
	`huggingface.js@${revision} packages/jinja/test/interpreter.test.js ("should handle whitespace control"); ` +
		"the peer sets True=true in every context",
	interpreter.map((test, i) => ({
		name: `WHITESPACE_${String(i).padStart(2, "0")}`,
		template: test.template,
		context: toData({ True: true, ...test.data }),
		options: { trim_blocks: !!test.options.trim_blocks, lstrip_blocks: !!test.options.lstrip_blocks },
		peer_expected: test.target,
	})),
);

const e2e = await loadConstants("e2e.test.js", ["TEST_DEFAULT_TEMPLATES", "TEST_CUSTOM_TEMPLATES"]);
const e2eCases = [];
for (const [group, table] of [
	["default", e2e.TEST_DEFAULT_TEMPLATES],
	["custom", e2e.TEST_CUSTOM_TEMPLATES],
]) {
	for (const [name, test] of Object.entries(table)) {
		e2eCases.push({
			name: `${group}: ${name}`,
			template: test.chat_template,
			context: toData(test.data),
			options: { trim_blocks: true, lstrip_blocks: true },
			peer_expected: test.target,
		});
	}
}
write(
	"hf-jinja-e2e.json",
	`huggingface.js@${revision} packages/jinja/test/e2e.test.js (TEST_DEFAULT_TEMPLATES, TEST_CUSTOM_TEMPLATES); ` +
		"rendered by the peer with trim_blocks and lstrip_blocks, the clock fixed at 2025-07-10T12:00:00Z",
	e2eCases,
);
