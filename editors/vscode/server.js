// How the extension starts mmlc-lsp: the executable and arguments from the `mml.server.*`
// settings, spoken to over stdio. No VS Code API here: test/launch.test.js runs this same code
// with plain Node against a real mmlc-lsp.
'use strict';

/**
 * The language client's server options (an Executable; no `transport`, so the client talks
 * over the process's stdin/stdout and passes no extra `--stdio` argument).
 * @param {(key: string, fallback: any) => any} setting reads `mml.<key>`
 * @returns {{run: {command: string, args: string[]}, debug: {command: string, args: string[]}}}
 */
function serverOptions(setting) {
  const command = setting('server.path', 'mmlc-lsp');
  const args = setting('server.args', []);
  return { run: { command, args }, debug: { command, args: args.concat(['-log=verbose']) } };
}

/**
 * Whether the server is started at all (`mml.server.enable`).
 * @param {(key: string, fallback: any) => any} setting
 * @returns {boolean}
 */
function serverEnabled(setting) {
  return setting('server.enable', true) !== false;
}

/** The documents the server gets: .mml files on disk (imports resolve against their folder). */
const documentSelector = [{ scheme: 'file', language: 'mml' }];

module.exports = { serverOptions, serverEnabled, documentSelector };
