import * as assert from 'node:assert/strict';
import type { Prompt, Resource, Tool } from '../../src/core/api';
import {
  promptTreeText,
  resourceTreeText,
  resultDocumentPath,
  serverPickItem,
  serverTooltipMarkdown,
  statusBarTooltipMarkdown,
  toolPickItem,
  toolTreeText,
} from '../../src/vscode/itemText';

// What servers and workspace files can put in names, descriptions and messages.
const hostile = 'x[click](command:workbench.action.openSettings) $(alert) <img src=x> **b**\u202e\r\nsecond line';

/** Markup that would act in rendered Markdown: an unescaped link opening, icon, HTML tag or bidi control. */
const liveMarkdown = /(^|[^\\])(\]\(|\$\(|<img)|\u202e/;
/** Link or icon syntax VS Code renders in quick picks and notifications, or a control character. */
const livePlain = /\]\(|(^|[^\\])\$\(|[\u202e\r\n]/;

describe('item texts (tree, status bar, quick picks, result documents)', () => {
  const tool: Tool = {
    name: `tool ${hostile}`,
    title: `Title ${hostile}`,
    description: `Does ${hostile}`,
    inputSchema: { type: 'object', properties: { a: { type: 'string', description: 'ends the block ```\n[y](https://e.example)' } } },
  };

  it('a tool: label and description are one plain line, the tooltip escapes every hostile part', () => {
    const text = toolTreeText(tool, false);
    assert.doesNotMatch(text.label, /[\u202e\r\n]/);
    assert.doesNotMatch(text.description!, /[\u202e\r\n]/);
    assert.ok(text.label.includes('click'));
    assert.doesNotMatch(text.markdownTooltip!.split('Input schema:')[0], liveMarkdown, text.markdownTooltip);
    const schemaBlock = text.markdownTooltip!.split('Input schema:\n')[1];
    assert.ok(schemaBlock.startsWith('````json\n'), 'the fence is longer than the backticks in the schema');
    assert.ok(schemaBlock.trimEnd().endsWith('````'));
  });

  it('a resource: label, description and plain tooltip carry no control characters', () => {
    const resource: Resource = { uri: `file:///a${hostile}`, name: `r ${hostile}`, description: `desc ${hostile}`, mimeType: 'text/plain' };
    const text = resourceTreeText(resource, true);
    for (const shown of [text.label, text.description!]) assert.doesNotMatch(shown, /[\u202e\r\n]/);
    assert.deepEqual(text.tooltip!.split('\n').length, 3, 'one line per fact');
    assert.doesNotMatch(text.tooltip!, /\u202e|\r/);
  });

  it('a prompt: argument names and descriptions are escaped in the tooltip', () => {
    const prompt: Prompt = { name: `p ${hostile}`, description: hostile, arguments: [{ name: `a\`b ${hostile}`, description: hostile, required: true }] };
    const text = promptTreeText(prompt, false);
    assert.doesNotMatch(text.markdownTooltip!, liveMarkdown, text.markdownTooltip);
    assert.doesNotMatch(text.label, /[\u202e\r\n]/);
  });

  it('a server tooltip: name, error, source, cwd and server info are escaped; the command line stays in its block', () => {
    const markdown = serverTooltipMarkdown({
      name: hostile,
      status: 'error',
      commandLine: 'node x.js ```\n[y](https://e.example)',
      language: 'shellscript',
      cwd: hostile,
      serverInfo: { name: hostile, version: hostile },
      problem: `Last error: ${hostile}`,
      source: hostile,
      sourceFile: hostile,
      renamed: hostile,
    });
    const [before, block, after] = markdown.split('````');
    assert.ok(block.includes('[y](https://e.example)'), 'the command line is shown as written, inside its block');
    for (const part of [before, after]) assert.doesNotMatch(part, liveMarkdown, part);
    assert.ok(after.includes('⚠ Last error'));
  });

  it('a server tooltip says which protocol the server speaks', () => {
    const markdown = serverTooltipMarkdown({ name: 'm', status: 'running', commandLine: 'node m.js', language: 'shellscript', protocol: 'MCP 2026-07-28 (2026 era)', source: 'user' });
    assert.ok(markdown.includes('Protocol: MCP 2026\\-07\\-28 \\(2026 era\\)'), markdown);
  });

  it('the status bar tooltip escapes server names', () => {
    const markdown = statusBarTooltipMarkdown([{ name: hostile, status: 'running' }], 1, 1);
    assert.doesNotMatch(markdown, liveMarkdown, markdown);
    assert.ok(markdown.includes('⚠ 1 in error'));
  });

  it('quick-pick items escape link and icon syntax and keep the real name to return', () => {
    const item = serverPickItem({ name: hostile, status: 'error', message: hostile, source: 'x' });
    assert.doesNotMatch(item.label, livePlain, item.label);
    assert.doesNotMatch(item.detail, livePlain, item.detail);
    assert.equal(item.server, hostile);
    const toolItem = toolPickItem(tool, true);
    assert.doesNotMatch(toolItem.label, livePlain);
    assert.doesNotMatch(toolItem.detail!, livePlain);
    assert.equal(toolItem.tool, tool);
  });

  it('result document paths have two segments, whatever the names', () => {
    assert.equal(resultDocumentPath('a/b', '../c\u202e result', 3, 'json'), '/a_b/.._c result 3.json');
    assert.equal(resultDocumentPath('..', '.', 1, 'txt'), '/_/_ 1.txt');
  });
});
