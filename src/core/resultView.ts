// What the results view shows of a tool call, as data: the extension host classifies a result
// (src/vscode/webviews/resultsPanel.ts) and the webview renders it (src/webviews/results.ts).
// No vscode and no DOM here, so both sides share the types and the rules, and the rules are
// unit-tested in plain Node (test/unit/resultView.test.ts).

import type { CallToolResult } from './api';

type Content = CallToolResult['content'][number];

/** Image types shown inline as data: URLs; anything else is listed with its size. SVG is left out: it is a document, not a picture. */
export const inlineImageTypes: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/avif'];
/** Audio types given a player; anything else is listed with its size. */
export const inlineAudioTypes: readonly string[] = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/mpeg', 'audio/mp3', 'audio/ogg', 'audio/webm', 'audio/flac', 'audio/aac', 'audio/mp4'];
/** Characters of one text rendered before "Show all" (the full text is always copyable). */
export const textRenderLimit = 100_000;
/** Text longer than this is never rendered as Markdown (markdown-it is linear, but the DOM it builds is not cheap). */
export const markdownRenderLimit = 200_000;
/** Children of one JSON object or array rendered before "Show more". */
export const jsonChildLimit = 200;

export type TextFormat = 'plain' | 'markdown' | 'json';

export type ResultItem =
  | { kind: 'text'; text: string; format: TextFormat }
  | { kind: 'image'; mimeType: string; data: string; bytes: number }
  | { kind: 'audio'; mimeType: string; data: string; bytes: number }
  /** An image or audio of a type not shown inline, or not base64. */
  | { kind: 'media'; media: 'image' | 'audio'; mimeType: string; bytes: number }
  | { kind: 'resource-text'; uri: string; mimeType?: string; text: string; format: TextFormat }
  | { kind: 'resource-blob'; uri: string; mimeType?: string; bytes: number; index: number }
  | { kind: 'resource-link'; uri: string; name: string; title?: string; description?: string; mimeType?: string }
  | { kind: 'unknown'; type: string; json: string };

export type SchemaCheck =
  | { status: 'valid' }
  | { status: 'invalid'; errors: string }
  | { status: 'no-schema' }
  /** The schema itself could not be compiled. */
  | { status: 'schema-error'; errors: string };

/** Everything the results webview is given (host → webview). */
export interface ResultViewData {
  server: string;
  tool: string;
  /** The protocol revision the server speaks, when known. */
  protocol?: { era: 'modern' | 'legacy'; version: string };
  /** ISO time the call started. */
  time: string;
  durationMs?: number;
  /** Bytes of the result as JSON (UTF-8). */
  bytes: number;
  isError: boolean;
  items: ResultItem[];
  structured?: { value: unknown; check: SchemaCheck };
}

export type ResultsToWebview = { type: 'show'; data: ResultViewData };

/** What the page reports once it has rendered, so the host (and its tests) know what the user sees. */
export interface RenderedSummary {
  kinds: string[];
  markdownBlocks: number;
  images: number;
  audios: number;
  jsonTrees: number;
  /** Texts cut at textRenderLimit ("Show all" offered). */
  truncatedTexts: number;
  schemaStatus?: SchemaCheck['status'];
  error: boolean;
}

export type ResultsToHost =
  | { type: 'ready' }
  | { type: 'rendered'; summary: RenderedSummary }
  | { type: 'copy'; what: 'text' | 'json' }
  | { type: 'openLink'; url: string }
  | { type: 'openResource'; uri: string }
  | { type: 'saveBlob'; index: number }
  /** Opens an image or audio block in VS Code's own editor (its image preview). */
  | { type: 'openMedia'; index: number }
  | { type: 'openAsText' };

/** Links a result may open: web pages and mail, nothing that runs or reads locally. */
export function isAllowedLink(url: string): boolean {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim());
  if (!match) return false;
  const scheme = match[1].toLowerCase();
  if (scheme === 'mailto') return true;
  if (scheme !== 'http' && scheme !== 'https') return false;
  try {
    return new URL(url.trim()).hostname.length > 0;
  } catch {
    return false;
  }
}

const markdownSignals: RegExp[] = [
  /^#{1,6}\s+\S/m, // ATX heading
  /^(```|~~~)/m, // fenced code block
  /^\s*\|.*\|\s*$\n^\s*\|?\s*:?-{3,}/m, // table header and its rule
  /\[[^\]\n]+\]\([^)\s]+\)/, // inline link
  /^>\s+\S/m, // block quote
  /(\*\*|__)\S[^\n]*?\S\1/, // strong emphasis
];

/**
 * The Markdown rule: a text is Markdown when it is declared so (mimeType text/markdown, for an
 * embedded resource) or when it shows Markdown structure — a heading, a fenced code block, a
 * table, an inline link, a block quote or strong emphasis, or two or more list items. Plain
 * prose, log lines and code are not. A text that is a JSON object or array is JSON. A text
 * declared as another type (text/plain, say) is plain.
 */
export function textFormat(text: string, mimeType?: string): TextFormat {
  const type = mimeType?.split(';')[0].trim().toLowerCase();
  if (type === 'text/markdown' || type === 'text/x-markdown') return 'markdown';
  if (type === 'application/json' || (type === undefined && parseJsonText(text) !== undefined)) return 'json';
  if (type !== undefined) return 'plain';
  if (markdownSignals.some((signal) => signal.test(text))) return 'markdown';
  const listItems = text.match(/^\s*([-*+]|\d{1,3}[.)])\s+\S/gm)?.length ?? 0;
  return listItems >= 2 ? 'markdown' : 'plain';
}

/** The value of a text that is a JSON object or array, else undefined. */
export function parseJsonText(text: string): unknown {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

/** Decoded size of base64 data, without decoding it. */
export function base64Bytes(data: string): number {
  const length = data.replace(/\s/g, '').length;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((length * 3) / 4) - padding);
}

const base64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

function mediaType(mimeType: unknown): string {
  return typeof mimeType === 'string' ? mimeType.split(';')[0].trim().toLowerCase() : '';
}

/** One content block as the view shows it. `index` numbers the block within the result. */
export function classifyContent(content: Content, index: number): ResultItem {
  switch (content.type) {
    case 'text':
      return { kind: 'text', text: String(content.text), format: textFormat(String(content.text)) };
    case 'image':
    case 'audio': {
      const mimeType = mediaType(content.mimeType);
      const data = typeof content.data === 'string' ? content.data : '';
      const allowed = content.type === 'image' ? inlineImageTypes : inlineAudioTypes;
      const bytes = base64Bytes(data);
      if (!allowed.includes(mimeType) || !base64.test(data)) return { kind: 'media', media: content.type, mimeType: mimeType || 'unknown type', bytes };
      return { kind: content.type, mimeType, data: data.replace(/\s/g, ''), bytes };
    }
    case 'resource_link':
      return {
        kind: 'resource-link',
        uri: String(content.uri),
        name: String(content.name ?? content.uri),
        title: typeof content.title === 'string' ? content.title : undefined,
        description: typeof content.description === 'string' ? content.description : undefined,
        mimeType: typeof content.mimeType === 'string' ? content.mimeType : undefined,
      };
    case 'resource': {
      const resource = content.resource as { uri?: unknown; text?: unknown; blob?: unknown; mimeType?: unknown };
      const uri = typeof resource.uri === 'string' ? resource.uri : '';
      const mimeType = typeof resource.mimeType === 'string' ? resource.mimeType : undefined;
      if (typeof resource.text === 'string') return { kind: 'resource-text', uri, mimeType, text: resource.text, format: textFormat(resource.text, mimeType) };
      return { kind: 'resource-blob', uri, mimeType, bytes: typeof resource.blob === 'string' ? base64Bytes(resource.blob) : 0, index };
    }
    default:
      return { kind: 'unknown', type: String((content as { type?: unknown }).type), json: JSON.stringify(content, null, 2) };
  }
}

/** The result's text, as "Copy Text" copies it: its text blocks and embedded text resources, in order. */
export function resultText(result: CallToolResult): string {
  return (result.content ?? [])
    .flatMap((content) => {
      if (content.type === 'text') return [String(content.text)];
      if (content.type === 'resource' && typeof (content.resource as { text?: unknown }).text === 'string') return [(content.resource as { text: string }).text];
      return [];
    })
    .join('\n\n');
}

/** "1.2 KB" */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** "850 ms", "2.4 s" */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** The first `limit` characters of a text for rendering, and whether it was cut. */
export function boundedText(text: string, limit = textRenderLimit): { shown: string; cut: boolean } {
  return text.length > limit ? { shown: text.slice(0, limit), cut: true } : { shown: text, cut: false };
}
