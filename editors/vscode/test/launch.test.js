// The extension's server launch, end to end without VS Code: server.js's options (from settings
// naming a real mmlc-lsp and an -I folder) are spawned the way vscode-languageclient spawns an
// Executable, then initialize, didOpen and the published diagnostic are exchanged over stdio;
// a burst of changes is debounced into one publication for the last version.
// Usage: node launch.test.js /path/to/mmlc-lsp
'use strict';
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { serverOptions, serverEnabled, documentSelector } = require('../server');

if (!process.argv[2]) throw new Error('usage: node launch.test.js /path/to/mmlc-lsp');
const server = path.resolve(process.argv[2]); // the server's cwd is the workspace folder

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mml-vscode-'));
const lib = path.join(work, 'lib');
const project = path.join(work, 'project');
fs.mkdirSync(lib);
fs.mkdirSync(project);
fs.writeFileSync(path.join(lib, 'extlib.mml'),
  'import "std/tasks.mml";\nflow quarter(m: dnn, d: data) -> dnn {\n  return scale(m, d, factor: 25%);\n}\n');
const file = path.join(project, 'main.mml');
const text = (/** @type {string} */ task) => 'import "std/tasks.mml";\nimport "extlib.mml";\nmain {\n  d = fashion_mnist();\n' +
  `  m = quarter(${task}(mlp(784, [64], 10), d), d);\n}\n`;
fs.writeFileSync(file, text('train'));
const uri = 'file://' + file;

/** Settings as VS Code's configuration would give them. @type {Record<string, any>} */
// A 1 s debounce (200 ms by default): the burst below stays one burst on a loaded machine.
const settings = { 'server.path': server, 'server.args': ['-I', lib, '-debounce-ms=1000'] };
/** @type {(key: string, fallback: any) => any} */
const setting = (key, fallback) => (key in settings ? settings[key] : fallback);

/** @param {boolean} condition @param {string} what */
function check(condition, what) {
  if (!condition) {
    console.error('FAIL: ' + what);
    process.exitCode = 1;
    throw new Error(what);
  }
  console.log('ok: ' + what);
}

// The manifest VS Code reads: the entry point, the language, the grammar and the settings that
// server.js reads, with the defaults it falls back to.
const root = path.join(__dirname, '..');
/** @type {any} */
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
check(fs.existsSync(path.join(root, manifest.main)), `package.json main (${manifest.main}) exists`);
check(typeof manifest.engines.vscode === 'string' && 'vscode-languageclient' in manifest.dependencies,
  'package.json names the VS Code engine and the client library');
check(manifest.activationEvents.includes('onLanguage:mml'), 'activated by mml documents');
const language = manifest.contributes.languages.find((/** @type {any} */ l) => l.id === 'mml');
check(language && language.extensions.includes('.mml'), 'the language mml is .mml files');
JSON.parse(fs.readFileSync(path.join(root, language.configuration), 'utf8'));
const grammar = manifest.contributes.grammars.find((/** @type {any} */ g) => g.language === 'mml');
check(JSON.parse(fs.readFileSync(path.join(root, grammar.path), 'utf8')).scopeName === grammar.scopeName,
  'the grammar file parses and has the declared scope');
const properties = manifest.contributes.configuration.properties;
/** @type {(key: string, fallback: any) => any} */
const defaults = (key, fallback) => {
  const declared = properties['mml.' + key];
  if (!declared) throw new Error(`server.js reads mml.${key}, which package.json does not declare`);
  if (JSON.stringify(declared.default) !== JSON.stringify(fallback))
    throw new Error(`mml.${key}: package.json default ${JSON.stringify(declared.default)}, server.js ${JSON.stringify(fallback)}`);
  return fallback;
};
serverOptions(defaults);
serverEnabled(defaults);
check(true, 'every setting server.js reads is declared in package.json with the same default');

check(serverEnabled(setting), 'the server is enabled by default');
check(documentSelector.some((s) => s.language === 'mml' && s.scheme === 'file'), 'mml files are selected');
const run = serverOptions(setting).run;
check(run.command === server && run.args.join(' ') === `-I ${lib} -debounce-ms=1000`, 'command and -I come from the settings');

// As vscode-languageclient 8 (lib/node/main.js) launches an Executable: `--stdio` only when a
// `transport` is given (mmlc-lsp takes none), cwd = the workspace folder.
const args = run.args.slice(0);
if ('transport' in run) args.push('--stdio');
const proc = cp.spawn(run.command, args, { cwd: project });

let buffer = Buffer.alloc(0);
/** @type {any[]} */
const received = [];
/** @type {(() => void)[]} */
let waiters = [];
proc.stdout.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) break;
    const match = /Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString());
    if (!match) throw new Error('a message without Content-Length');
    const length = Number(match[1]);
    if (buffer.length < headerEnd + 4 + length) break;
    received.push(JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString()));
    buffer = buffer.subarray(headerEnd + 4 + length);
  }
  const pending = waiters;
  waiters = [];
  pending.forEach((w) => w());
});
let stderr = '';
proc.stderr.on('data', (d) => { stderr += d; });
proc.on('error', (err) => {
  console.error(`FAIL: ${run.command} did not start: ${err.message}`);
  process.exit(1);
});

/** @param {object} message */
function send(message) {
  const body = Buffer.from(JSON.stringify(Object.assign({ jsonrpc: '2.0' }, message)));
  proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  proc.stdin.write(body);
}

/**
 * The first message received matching `match`, waiting up to `ms`.
 * @param {(m: any) => boolean} match @param {number} ms @param {string} what
 * @returns {Promise<any>}
 */
function waitFor(match, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}\n${stderr.slice(-2000)}`)), ms);
    const look = () => {
      const found = received.find(match);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      } else {
        waiters.push(look);
      }
    };
    look();
  });
}
const diagnosticsOf = (/** @type {number} */ version) => (/** @type {any} */ m) =>
  m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.version === version;
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  // What VS Code sends: rootUri and workspaceFolders.
  send({ id: 1, method: 'initialize', params: { processId: process.pid, rootUri: 'file://' + project,
    workspaceFolders: [{ uri: 'file://' + project, name: 'project' }], capabilities: {} } });
  const init = await waitFor((m) => m.id === 1, 20000, 'the initialize reply');
  check(init.result.serverInfo.name === 'mmlc-lsp', 'initialize answered by mmlc-lsp');
  check(init.result.capabilities.textDocumentSync.change === 2, 'incremental sync');
  send({ method: 'initialized', params: {} });

  send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'mml', version: 1,
    text: text('trian') } } });
  const first = await waitFor(diagnosticsOf(1), 20000, 'diagnostics of version 1');
  const messages = first.params.diagnostics.map((/** @type {any} */ d) => d.message);
  check(messages.length === 1 && /unknown task or flow 'trian' \(did you mean 'train'\?\)/.test(messages[0]),
    `one diagnostic, the misspelt task (the -I import was found): ${JSON.stringify(messages)}`);
  check(first.params.diagnostics[0].range.start.line === 4 && first.params.diagnostics[0].range.start.character === 14,
    'the diagnostic is on the misspelt name');

  // A burst of keystrokes: one publication, for the last version, after the debounce.
  for (let version = 2; version <= 6; ++version)
    send({ method: 'textDocument/didChange', params: { textDocument: { uri, version },
      contentChanges: [{ text: text(version === 6 ? 'train' : 'trai'.slice(0, version - 1) + 'x') }] } });
  const last = await waitFor(diagnosticsOf(6), 20000, 'diagnostics of version 6');
  check(last.params.diagnostics.length === 0, 'the last version is clean');
  await sleep(500); // nothing else may follow
  const published = received.filter((/** @type {any} */ m) => m.method === 'textDocument/publishDiagnostics').map((/** @type {any} */ m) => m.params.version);
  check(JSON.stringify(published) === '[1,6]', `versions published: ${JSON.stringify(published)} (2 to 5 coalesced)`);

  send({ id: 2, method: 'shutdown' });
  await waitFor((m) => m.id === 2, 20000, 'the shutdown reply');
  send({ method: 'exit' });
  const code = await new Promise((resolve) => proc.on('exit', resolve));
  check(code === 0, `mmlc-lsp exited with 0 (got ${code})`);
}

main()
  .catch((err) => {
    console.error('FAIL: ' + err.message);
    process.exitCode = 1;
    proc.kill();
  })
  .finally(() => fs.rmSync(work, { recursive: true, force: true }));
