// Drives the server's OpenAI-compatible API with the official `openai` npm package, as the .NET end-to-end tests do
// with the official .NET SDK: base model and every adapter type as `model`, streaming and not, logprobs, stop, seed
// reproducibility, n, errors and their HTTP statuses, concurrent requests of different adapters equal to their solo
// answers. It starts its own server (dotnet run, on free ports) on the tiny Llama test model with a tokenizer and a
// chat template, and registers the fixture adapters through POST /v1/load_lora_adapter. See README.md.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const root = resolve(import.meta.dirname, '../..');
const fixtures = join(root, 'tests/fixtures/hf');
const adapters = ['lora_qv', 'lora_all', 'prefix', 'prompt', 'ptuning'];
const baseModel = 'llama-chat';
const adminKey = 'node-check-admin';
const chatTemplate = "{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] + eos_token }}{% endfor %}"
  + "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

function freePort() {
  return new Promise((ok) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });
}

function modelDirectory() {
  const dir = mkdtempSync(join(tmpdir(), 'peft-node-check-'));
  for (const f of readdirSync(join(fixtures, 'llama/base'))) cpSync(join(fixtures, 'llama/base', f), join(dir, f));
  const tokenizer = join(root, 'tests/fixtures/tokenizers/gpt2-bytelevel');
  cpSync(join(tokenizer, 'tokenizer.json'), join(dir, 'tokenizer.json'));
  const config = JSON.parse(readFileSync(join(tokenizer, 'tokenizer_config.json'), 'utf8'));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, chat_template: chatTemplate }));
  return dir;
}

async function startServer() {
  const [port, adminPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const dir = modelDirectory();
  const store = mkdtempSync(join(tmpdir(), 'peft-node-store-'));
  const args = ['run', '--project', join(root, 'src/Server'), '--', `--Model:Path=${dir}`, `--Model:ServedName=${baseModel}`,
    '--Model:Device=cpu', `--Adapters:Roots:0=${fixtures}`, `--Adapters:StoreDirectory=${store}`, `--Training:JobsDirectory=${store}-jobs`,
    `--Server:ServingPort=${port}`, `--Server:AdminPort=${adminPort}`, `--Server:MetricsPort=${metricsPort}`,
    `--Server:AdminApiKey=${adminKey}`, '--Engine:KvCacheBytes=8388608', '--Engine:LoraSlots=4', '--Engine:MaxLoraRank=8',
    '--Logging:LogLevel:Default=Warning'];
  const server = spawn('dotnet', args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const stop = () => { server.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); rmSync(store, { recursive: true, force: true }); rmSync(`${store}-jobs`, { recursive: true, force: true }); };
  const serving = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    try { if ((await fetch(`${serving}/ready`)).ok) return { serving, admin: `http://127.0.0.1:${adminPort}`, stop }; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  stop();
  throw new Error('the server did not become ready in 5 minutes');
}

const results = [];
async function check(name, body) {
  try {
    await body();
    results.push([name, null]);
    console.log(`  ok   ${name}`);
  } catch (e) {
    results.push([name, e]);
    console.log(`  FAIL ${name}\n       ${e?.stack ?? e}`);
  }
}

async function statusOf(promise) {
  try { await promise; return 200; } catch (e) { if (e instanceof OpenAI.APIError) return e.status; throw e; }
}

const server = await startServer();
try {
  const client = new OpenAI({ baseURL: `${server.serving}/v1`, apiKey: 'unused', maxRetries: 0 });
  const admin = new OpenAI({ baseURL: `${server.admin}/v1`, apiKey: adminKey, maxRetries: 0 });
  const models = [baseModel, ...adapters];
  const question = [{ role: 'user', content: 'Hello there' }];

  await check('every adapter type loads through POST /v1/load_lora_adapter', async () => {
    for (const id of adapters) {
      const text = await admin.post('/load_lora_adapter', { body: { lora_name: id, lora_path: `llama/adapters/${id}` }, __binaryResponse: true });
      assert.match(await text.text(), /Success/);
    }
  });

  await check('models lists the base first, then every adapter with its type, version and parent', async () => {
    const list = [];
    for await (const m of client.models.list()) list.push(m);
    assert.equal(list[0].id, baseModel);
    for (const id of adapters) {
      const m = list.find((x) => x.id === id);
      assert.equal(m.parent, baseModel);
      assert.match(m.version, /^[0-9a-f]{64}$/);
      assert.ok(m.peft_type);
    }
  });

  const solo = {};
  await check('chat answers as every model, streamed and whole alike, with usage', async () => {
    for (const model of models) {
      const whole = await client.chat.completions.create({ model, messages: question, max_tokens: 10 });
      assert.equal(whole.model, model);
      assert.equal(whole.choices[0].message.role, 'assistant');
      assert.equal(whole.usage.total_tokens, whole.usage.prompt_tokens + whole.usage.completion_tokens);
      solo[model] = whole.choices[0].message.content;
      let text = '';
      let usage = null;
      let finish = null;
      const stream = await client.chat.completions.create({ model, messages: question, max_tokens: 10, stream: true, stream_options: { include_usage: true } });
      for await (const chunk of stream) {
        for (const c of chunk.choices) { text += c.delta.content ?? ''; finish = c.finish_reason ?? finish; }
        if (chunk.usage) usage = chunk.usage;
      }
      assert.equal(text, solo[model]);
      assert.equal(finish, whole.choices[0].finish_reason);
      assert.deepEqual(usage, whole.usage);
    }
  });

  await check('completions take text and token ids, with n, echo and logprobs', async () => {
    const ids = await client.completions.create({ model: 'lora_all', prompt: [1, 17, 42, 99], max_tokens: 6, ignore_eos: true, n: 2, logprobs: 3 });
    assert.equal(ids.choices.length, 2);
    assert.equal(ids.choices[0].text, ids.choices[1].text);
    assert.equal(ids.choices[0].logprobs.tokens.length, 6);
    assert.equal(ids.usage.completion_tokens, 12);
    assert.equal(ids.usage.prompt_tokens, 4);
    const echoed = await client.completions.create({ model: 'prefix', prompt: 'Once upon', max_tokens: 5, echo: true });
    const plain = await client.completions.create({ model: 'prefix', prompt: 'Once upon', max_tokens: 5 });
    assert.equal(echoed.choices[0].text, 'Once upon' + plain.choices[0].text);
    let streamed = '';
    for await (const chunk of await client.completions.create({ model: 'prefix', prompt: 'Once upon', max_tokens: 5, stream: true })) streamed += chunk.choices[0]?.text ?? '';
    assert.equal(streamed, plain.choices[0].text);
  });

  await check('chat logprobs come one per token with the asked alternatives', async () => {
    const r = await client.chat.completions.create({ model: 'ptuning', messages: question, max_tokens: 8, logprobs: true, top_logprobs: 2 });
    const content = r.choices[0].logprobs.content;
    assert.equal(content.length, r.usage.completion_tokens);
    for (const t of content) { assert.equal(t.top_logprobs.length, 2); assert.ok(t.logprob <= 0); assert.ok(Array.isArray(t.bytes)); }
  });

  await check('a stop sequence ends the answer before it', async () => {
    const free = await client.completions.create({ model: 'prompt', prompt: 'Hello', max_tokens: 24, ignore_eos: true });
    const text = free.choices[0].text;
    assert.ok(text.length >= 4, `need text to cut: ${JSON.stringify(text)}`);
    const stop = text.slice(2, 4);
    const cut = await client.completions.create({ model: 'prompt', prompt: 'Hello', max_tokens: 24, ignore_eos: true, stop: [stop] });
    assert.equal(cut.choices[0].text, text.slice(0, text.indexOf(stop)));
    assert.equal(cut.choices[0].finish_reason, 'stop');
  });

  await check('a seed repeats a sampled answer; n seeded choices differ and the first is the n=1 answer', async () => {
    const ask = (seed, n = 1) => client.chat.completions.create({ model: 'lora_qv', messages: question, max_tokens: 12, temperature: 1.5, seed, n });
    const [a, b, three] = [await ask(21), await ask(21), await ask(21, 3)];
    assert.equal(a.choices[0].message.content, b.choices[0].message.content);
    assert.equal(three.choices[0].message.content, a.choices[0].message.content);
    assert.ok(new Set(three.choices.map((c) => c.message.content)).size > 1);
  });

  await check('concurrent chats of different adapters each equal their solo answers', async () => {
    const all = [...models, ...adapters];
    const answers = await Promise.all(all.map((model) => client.chat.completions.create({ model, messages: question, max_tokens: 10 })));
    answers.forEach((r, i) => assert.equal(r.choices[0].message.content, solo[all[i]]));
  });

  await check('errors have the statuses and classes an OpenAI client expects', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'no-such-model', messages: question }), OpenAI.NotFoundError);
    await assert.rejects(client.chat.completions.create({ model: 'lora_qv', messages: question, temperature: 1000 }), OpenAI.BadRequestError);
    await assert.rejects(client.completions.create({ model: 'lora_qv', prompt: [1, 999999] }), OpenAI.BadRequestError);
    const keyless = new OpenAI({ baseURL: `${server.admin}/v1`, apiKey: 'wrong', maxRetries: 0 });
    assert.equal(await statusOf(keyless.post('/unload_lora_adapter', { body: { lora_name: 'prompt' } })), 401);
    assert.equal(await statusOf(admin.post('/load_lora_adapter', { body: { lora_name: 'x', lora_path: '/etc' } })), 403);
    assert.equal(await statusOf(admin.post('/load_lora_adapter', { body: { lora_name: 'prompt', lora_path: 'llama/adapters/prompt' } })), 409);
  });

  await check('an adapter unloaded through POST /v1/unload_lora_adapter is no longer a model', async () => {
    await admin.post('/unload_lora_adapter', { body: { lora_name: 'ptuning' }, __binaryResponse: true });
    await assert.rejects(client.chat.completions.create({ model: 'ptuning', messages: question }), OpenAI.NotFoundError);
  });
} finally {
  server.stop();
}

const failed = results.filter(([, e]) => e).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
