// VS Code extension entry: starts mmlc-lsp (setting `mml.server.path`) for .mml files over stdio;
// the launch itself (command, arguments) is server.js's, which the Node test runs too.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { serverOptions, serverEnabled, documentSelector } = require('./server');

/** @type {LanguageClient | undefined} */
let client;

function start() {
  const config = vscode.workspace.getConfiguration('mml');
  /** @type {(key: string, fallback: any) => any} */
  const setting = (key, fallback) => config.get(key, fallback);
  if (!serverEnabled(setting)) return;
  const options = serverOptions(setting);
  const clientOptions = {
    documentSelector,
    // Imported files change on disk: the server re-checks the open documents.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.mml') },
  };
  client = new LanguageClient('mml', 'mmlc-lsp', options, clientOptions);
  client.start().catch((/** @type {Error} */ err) =>
    vscode.window.showErrorMessage(
      `mmlc-lsp did not start (${options.run.command}): ${err.message}. Set "mml.server.path".`));
}

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  start();
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (!event.affectsConfiguration('mml.server')) return;
    if (client) await client.stop();
    client = undefined;
    start();
  }));
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
