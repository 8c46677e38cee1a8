// Result documents and the files that binary results are written to.
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { relative } from 'node:path';
import * as vscode from 'vscode';
import { SecretRedactor } from '../../src/core/redact';
import { ResultDocuments } from '../../src/vscode/results';

const onePixelPng = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

function openedFiles(): vscode.Uri[] {
  return vscode.window.tabGroups.all.flatMap((group) =>
    group.tabs.flatMap((tab) => (tab.input instanceof vscode.TabInputCustom || tab.input instanceof vscode.TabInputText ? [tab.input.uri] : [])),
  );
}

describe('results', function () {
  this.timeout(30_000);

  it('an image from a server named ".." is written inside the window\'s temporary folder', async () => {
    const results = new ResultDocuments(new SecretRedactor());
    const tool = `escape-probe-${process.pid}-${Date.now()}`;
    try {
      await results.showToolResult('..', tool, { content: [{ type: 'image', data: onePixelPng, mimeType: 'image/png' }] });
      const image = openedFiles().find((uri) => uri.scheme === 'file' && uri.fsPath.includes(tool));
      assert.ok(image, `the image was opened: ${openedFiles().map((u) => u.toString()).join(', ')}`);
      const rest = relative(tmpdir(), image.fsPath);
      assert.match(rest, /^mcp-sessions-[^/]+\/__\/escape-probe-/, `written at ${image.fsPath}`);
      assert.deepEqual(readdirSync(tmpdir()).filter((name) => name.startsWith(tool)), [], 'nothing was written next to the temporary folder');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      results.dispose();
    }
  });
});
