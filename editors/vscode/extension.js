// Starts `handoff lsp` for markdown files; the server itself leaves files outside a packet alone.
// It also hears of changes to handoff.toml and .handoff/ (kinds, signed kinds), so open packets
// are checked again against them.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("handoff").get("path") || "handoff";
  client = new LanguageClient(
    "handoff",
    "handoff",
    { command, args: ["lsp"] },
    {
      documentSelector: [{ scheme: "file", language: "markdown" }],
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher("**/{handoff.toml,.handoff/**}"),
      },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
