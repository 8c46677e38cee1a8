// What the Tool Explorer, the status bar and quick picks show of servers, tools, resources and
// prompts. Built without `vscode`, so plain-Node tests check it. Every text from a server or a
// workspace file goes through displayText for the surface it lands on: tree labels,
// descriptions and plain tooltips through labelText; quick picks (which render `$(icon)`)
// through iconLabelText; Markdown tooltips through markdownText and markdownCodeBlock. The
// Markdown is rendered untrusted (no command links run) and without theme icons: VS Code turns
// `$(icon)` into an icon after rendering, even inside code blocks and after Markdown escapes.

import type { Prompt, Resource, ResourceTemplate, Tool } from '../core/api';
import { iconLabelText, labelText, markdownCodeBlock, markdownText } from '../core/displayText';

/** Schemas are long; a tooltip shows this much of each. */
const schemaLimit = 20_000;

export interface TreeText {
  label: string;
  description?: string;
  /** Plain text, for a string tooltip. */
  tooltip?: string;
  /** Markdown source, for an untrusted MarkdownString with theme icons. */
  markdownTooltip?: string;
}

export function firstLine(text: string): string {
  const line = labelText(text.split('\n', 1)[0].trim());
  return line.length > 80 ? line.slice(0, 79) + '…' : line;
}

export function toolTreeText(tool: Tool, cached: boolean): TreeText {
  const parts = [`**${markdownText(tool.title ?? tool.annotations?.title ?? tool.name)}**${cached ? ' (cached)' : ''}\n\n`];
  if (tool.description) parts.push(markdownText(tool.description) + '\n\n');
  const hints = [
    tool.annotations?.readOnlyHint && 'read-only',
    tool.annotations?.destructiveHint && 'destructive',
    tool.annotations?.idempotentHint && 'idempotent',
    tool.annotations?.openWorldHint && 'open world',
  ].filter(Boolean);
  if (hints.length) parts.push(`_${hints.join(', ')}_\n\n`);
  parts.push('Input schema:\n', markdownCodeBlock(JSON.stringify(tool.inputSchema, null, 2), 'json', schemaLimit));
  if (tool.outputSchema) parts.push('Output schema:\n', markdownCodeBlock(JSON.stringify(tool.outputSchema, null, 2), 'json', schemaLimit));
  return { label: labelText(tool.name), description: firstLine(tool.description ?? tool.title ?? ''), markdownTooltip: parts.join('') };
}

export function resourceTreeText(resource: Resource, cached: boolean): TreeText {
  const tooltip = [resource.description, resource.mimeType && `MIME type: ${resource.mimeType}`, cached ? '(cached)' : undefined]
    .filter((line): line is string => Boolean(line))
    .map((line) => labelText(line))
    .join('\n');
  return { label: labelText(resource.title ?? resource.name), description: labelText(resource.uri), tooltip: tooltip || labelText(resource.uri) };
}

export function resourceTemplateTreeText(template: ResourceTemplate): TreeText {
  const tooltip = [template.description, template.mimeType && `MIME type: ${template.mimeType}`, 'A template: reading it asks for its arguments']
    .filter((line): line is string => Boolean(line))
    .map((line) => labelText(line))
    .join('\n');
  return { label: labelText(template.title ?? template.name), description: labelText(template.uriTemplate), tooltip };
}

export function promptTreeText(prompt: Prompt, cached: boolean): TreeText {
  const parts = [`**${markdownText(prompt.title ?? prompt.name)}**${cached ? ' (cached)' : ''}\n\n`];
  if (prompt.description) parts.push(markdownText(prompt.description) + '\n\n');
  const args = (prompt.arguments ?? []).map((a) => `- **${markdownText(a.name)}**${a.required ? ' (required)' : ''}${a.description ? `: ${markdownText(a.description)}` : ''}`);
  if (args.length) parts.push(`Arguments:\n${args.join('\n')}`);
  return { label: labelText(prompt.name), description: firstLine(prompt.description ?? ''), markdownTooltip: parts.join('') };
}

export interface ServerTooltipFacts {
  name: string;
  /** Our status label, e.g. "running". */
  status: string;
  /** The command line or URL, secrets already redacted. */
  commandLine: string;
  language: 'shellscript' | 'text';
  cwd?: string;
  pid?: number;
  uptime?: string;
  serverInfo?: { name: string; version: string };
  /** The protocol era and revision the server speaks, e.g. "MCP 2026-07-28". */
  protocol?: string;
  /** Times it exited on the server/discover probe and was started again in legacy mode. */
  legacyRestarts?: number;
  recentCrashes?: number;
  stdoutNoiseLines?: number;
  /** Our summary of the lists, e.g. "3 tools, 0 resources, 0 prompts". */
  lists?: string;
  /** Why it is not running, secrets already redacted: may quote the server's error. */
  problem?: string;
  source: string;
  sourceFile?: string;
  renamed?: string;
}

export function serverTooltipMarkdown(facts: ServerTooltipFacts): string {
  const parts = [`**${markdownText(facts.name)}** — ${markdownText(facts.status)}\n\n`, markdownCodeBlock(facts.commandLine, facts.language)];
  const lines: string[] = [];
  if (facts.cwd) lines.push(`Working directory: ${markdownText(facts.cwd)}`);
  if (facts.pid) lines.push(`PID ${facts.pid}`);
  if (facts.uptime) lines.push(`Up ${facts.uptime}`);
  if (facts.serverInfo) lines.push(`Server: ${markdownText(facts.serverInfo.name)} ${markdownText(facts.serverInfo.version)}`);
  if (facts.protocol) lines.push(`Protocol: ${markdownText(facts.protocol)}`);
  if (facts.legacyRestarts) lines.push(`Restarted in legacy mode after exiting on the protocol probe: ${facts.legacyRestarts}`);
  if (facts.recentCrashes) lines.push(`Crashes in the last minutes: ${facts.recentCrashes}`);
  if (facts.stdoutNoiseLines) lines.push(`Non-JSON lines on stdout: ${facts.stdoutNoiseLines}`);
  if (facts.lists) lines.push(markdownText(facts.lists));
  if (lines.length) parts.push(lines.join('  \n') + '\n\n');
  if (facts.problem) parts.push(`⚠ ${markdownText(facts.problem)}\n\n`);
  parts.push(`Source: ${markdownText(facts.source)}${facts.sourceFile ? ` — ${markdownText(facts.sourceFile)}` : ''}`);
  if (facts.renamed) parts.push(`\n\nℹ ${markdownText(facts.renamed)}`);
  return parts.join('');
}

export function statusBarTooltipMarkdown(servers: { name: string; status: string }[], running: number, failing: number, lastValid = 0): string {
  const lines = servers.map((s) => `- ${markdownText(s.name)}: ${s.status}\n`);
  const stale = lastValid > 0 ? `\n⚠ The configuration has errors: ${lastValid} server${lastValid === 1 ? ' uses its' : 's use their'} last valid version.` : '';
  return `**MCP servers:** ${running} of ${servers.length} running\n\n${lines.join('')}${failing > 0 ? `\n⚠ ${failing} in error. Click for details.` : ''}${stale}`;
}

/** A quick-pick item for a server; `server` is the name to use, since the label is escaped. */
export function serverPickItem(view: { name: string; status: string; toolCount?: number; message?: string; source: string }): {
  label: string;
  description: string;
  detail: string;
  server: string;
} {
  return {
    label: iconLabelText(view.name),
    description: view.status + (view.toolCount !== undefined ? ` · ${view.toolCount} tools` : ''),
    detail: iconLabelText(view.message ?? view.source),
    server: view.name,
  };
}

export function toolPickItem(tool: Tool, cached: boolean): { label: string; description?: string; detail?: string; tool: Tool } {
  return {
    label: iconLabelText(tool.name),
    description: cached ? '(cached)' : undefined,
    detail: tool.description === undefined ? undefined : iconLabelText(tool.description.split('\n', 1)[0]),
    tool,
  };
}

/** The path of a result document: its last segment is the editor tab's title. */
export function resultDocumentPath(server: string, name: string, counter: number, extension: string): string {
  const segment = (text: string) => labelText(text, 80).replace(/[\\/]/g, '_').replace(/^\.*$/, '_');
  return `/${segment(server)}/${segment(name)} ${counter}.${extension}`;
}
