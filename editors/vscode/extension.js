// VS Code extension entry: starts mmlc-lsp (setting `mml.server.path`) for .mml files over stdio.
'use strict';
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function start() {
  const config = vscode.workspace.getConfiguration('mml');
  if (!config.get('server.enable', true)) return;
  const command = config.get('server.path', 'mmlc-lsp');
  const args = config.get('server.args', []);
  const serverOptions = { run: { command, args }, debug: { command, args: args.concat(['-log=verbose']) } };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'mml' }], // imports resolve against the file's folder
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.mml') },
  };
  client = new LanguageClient('mml', 'mmlc-lsp', serverOptions, clientOptions);
  client.start().catch((err) =>
    vscode.window.showErrorMessage(`mmlc-lsp did not start (${command}): ${err.message}. Set "mml.server.path".`));
}

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
