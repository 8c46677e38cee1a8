// Plain-text rendering of lists and results for a terminal, and of JSON output (--json).
// Names, descriptions and commands come from servers and configuration files: in tables their
// control and bidi characters are shown as \u{…} escapes (terminalText) instead of acting on
// the terminal. Result content is escaped the same way when it goes to a terminal.

import type { CallToolResult, GetPromptResult, Prompt, ReadResourceResult, Resource, Tool } from '../core/api';
import { terminalText } from '../core/displayText';

/** Left-aligned columns separated by two spaces; the last column is not padded. Cells are escaped. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows].map((row) => row.map((cell) => terminalText(cell)));
  // A loop, not Math.max(...column): spreading 200,000 rows overflows the argument limit.
  const widths = header.map((_, i) => all.reduce((widest, row) => Math.max(widest, (row[i] ?? '').length), 0));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

/**
 * Result content (tool output, resource text, prompt messages) for a terminal: escaped, with
 * its lines and tabs kept. Written to a pipe or a file it stays exactly as the server sent it.
 */
export function terminalContent(text: string): string {
  return terminalText(text.replace(/\r\n/g, '\n'), true);
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n', 1)[0].trim();
}

/** `echo {text}`, `slow {ms, steps?}`: the tool and its argument names, optional ones marked. */
export function toolSignature(tool: Tool): string {
  const properties = Object.keys((tool.inputSchema.properties as Record<string, unknown> | undefined) ?? {});
  const required = new Set(tool.inputSchema.required ?? []);
  return properties.length ? `${tool.name} {${properties.map((p) => (required.has(p) ? p : `${p}?`)).join(', ')}}` : tool.name;
}

export function formatTools(tools: Tool[]): string {
  if (tools.length === 0) return '(no tools)\n';
  return table(
    ['TOOL', 'DESCRIPTION'],
    tools.map((t) => [toolSignature(t), firstLine(t.description ?? t.annotations?.title ?? t.title)]),
  );
}

export function formatResources(resources: Resource[]): string {
  if (resources.length === 0) return '(no resources)\n';
  return table(
    ['URI', 'NAME', 'TYPE', 'DESCRIPTION'],
    resources.map((r) => [r.uri, r.name, r.mimeType ?? '', firstLine(r.description)]),
  );
}

export function formatPrompts(prompts: Prompt[]): string {
  if (prompts.length === 0) return '(no prompts)\n';
  const signature = (p: Prompt) => (p.arguments?.length ? `${p.name} {${p.arguments.map((a) => (a.required ? a.name : `${a.name}?`)).join(', ')}}` : p.name);
  return table(
    ['PROMPT', 'DESCRIPTION'],
    prompts.map((p) => [signature(p), firstLine(p.description)]),
  );
}

const withNewline = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);

function base64Bytes(data: string): number {
  return Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
}

type ContentBlock = CallToolResult['content'][number];

/** Text as is; anything else as a one-line description. */
function formatContentBlock(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return withNewline(block.text);
    case 'image':
    case 'audio':
      return `[${block.type} ${block.mimeType}, ${base64Bytes(block.data)} bytes]\n`;
    case 'resource_link':
      return `[resource link ${block.uri}${block.mimeType ? ` (${block.mimeType})` : ''}]\n`;
    case 'resource': {
      const resource = block.resource as { uri: string; mimeType?: string; text?: string; blob?: string };
      if (typeof resource.text === 'string') return withNewline(resource.text);
      return `[resource ${resource.uri}${resource.mimeType ? ` (${resource.mimeType})` : ''}, ${base64Bytes(resource.blob ?? '')} bytes]\n`;
    }
    default:
      return `${JSON.stringify(block)}\n`;
  }
}

/** The content of a tool result; structured content when there is no content to show. */
export function formatToolResult(result: CallToolResult): string {
  const content = result.content ?? [];
  if (content.length === 0 && result.structuredContent !== undefined) return `${JSON.stringify(result.structuredContent, null, 2)}\n`;
  return content.map(formatContentBlock).join('');
}

export function formatResourceContents(result: ReadResourceResult): string {
  return result.contents
    .map((c) => ('text' in c ? withNewline(c.text) : `[${c.uri}${c.mimeType ? ` (${c.mimeType})` : ''}, ${base64Bytes(c.blob)} bytes]\n`))
    .join('');
}

export function formatPromptResult(result: GetPromptResult): string {
  return result.messages.map((m) => `${m.role}: ${formatContentBlock(m.content as ContentBlock)}`).join('');
}

/**
 * JSON.stringify escapes C0 controls but not DEL, C1, bidi, zero-width or line-separator
 * characters; written as \u escapes they parse to the same value and do nothing to a terminal.
 */
const jsonUnescaped = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(jsonUnescaped, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
