// The messages of a prompt as a Markdown document: a heading per message with its role, text
// in fenced blocks, images, audio and resources summarized. Everything the server wrote is
// shown as text, never as Markdown it could use (links, HTML, `command:` URIs): names and
// descriptions are escaped (markdownText), message text sits in a fence it cannot close
// (markdownCodeBlock). No `vscode` here (test/unit/promptDocument.test.ts).

import type { GetPromptResult } from '../core/api';
import { markdownCodeBlock, markdownText } from '../core/displayText';

type PromptContent = GetPromptResult['messages'][number]['content'];

/** Longest message text kept in the document; prompts are for reading, not for megabytes. */
const messageTextLimit = 1024 * 1024;

export function renderPromptMarkdown(server: string, prompt: string, args: Record<string, string>, result: GetPromptResult): string {
  const lines = [`# Prompt ${markdownText(prompt)} of ${markdownText(server)}`, ''];
  if (result.description) lines.push(markdownText(result.description), '');
  const given = Object.entries(args);
  if (given.length > 0) lines.push('Arguments:', '', ...given.map(([name, value]) => `- ${markdownText(name)}: ${markdownText(value)}`), '');
  result.messages.forEach((message, index) => {
    lines.push(`## ${index + 1}. ${markdownText(String(message.role))}`, '', renderPromptContent(message.content), '');
  });
  if (result.messages.length === 0) lines.push('The prompt has no messages.', '');
  return lines.join('\n');
}

function renderPromptContent(content: PromptContent): string {
  switch (content.type) {
    case 'text':
      return markdownCodeBlock(content.text, 'text', messageTextLimit);
    case 'image':
    case 'audio':
      return `*${content.type === 'image' ? 'Image' : 'Audio'} (${markdownText(content.mimeType)}, ${base64Bytes(content.data)} bytes)*`;
    case 'resource_link':
      return `*Resource link:* ${markdownText(content.name)} — ${markdownText(content.uri)}`;
    case 'resource': {
      const resource = content.resource as { uri: string; mimeType?: string; text?: string; blob?: string };
      const heading = `*Resource:* ${markdownText(resource.uri)}${resource.mimeType ? ` (${markdownText(resource.mimeType)})` : ''}`;
      if (typeof resource.text === 'string') return `${heading}\n\n${markdownCodeBlock(resource.text, 'text', messageTextLimit)}`;
      return `${heading}, ${base64Bytes(resource.blob ?? '')} bytes of binary content`;
    }
    default:
      return markdownCodeBlock(JSON.stringify(content, null, 2), 'json', messageTextLimit);
  }
}

/** Bytes a base64 text decodes to, without decoding it. */
function base64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}
