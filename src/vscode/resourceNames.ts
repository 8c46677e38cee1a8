// Where a resource of a server lives on the `mcp-sessions-resource:` scheme, and back. No `vscode` here,
// so it is unit-tested in plain Node (test/unit/resourceNames.test.ts).
//
// Path: /<server>/<resource URI>/<file name>. The server name and the resource URI are any
// strings a configuration or a server chose, so each is base64url-encoded behind a letter: the
// segment holds only [A-Za-z0-9_-], is never empty, "." or "..", and decodes to exactly one
// string (no two resources share a path, none leaves its place). The file name is only for
// people and for VS Code's language and editor choice: it is ignored when the path is read.

import { safeFileName } from '../core/paths';

// Not `mcp-resource`: VS Code's built-in MCP client (1.10x and later) registers that scheme in the
// workbench for its own resources, and a document of ours on it would be read from theirs.
export const resourceScheme = 'mcp-sessions-resource';

export interface ResourceAddress {
  server: string;
  uri: string;
}

const knownExtensions: Record<string, string> = {
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/html': 'html',
  'text/css': 'css',
  'text/csv': 'csv',
  'text/xml': 'xml',
  'text/javascript': 'js',
  'text/x-python': 'py',
  'text/yaml': 'yaml',
  'application/json': 'json',
  'application/xml': 'xml',
  'application/yaml': 'yaml',
  'application/javascript': 'js',
  'application/typescript': 'ts',
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/svg+xml': 'svg',
  'audio/wav': 'wav',
  'audio/mpeg': 'mp3',
  'video/mp4': 'mp4',
};

function encodeSegment(text: string): string {
  return `s${Buffer.from(text, 'utf8').toString('base64url')}`;
}

function decodeSegment(segment: string): string | undefined {
  if (!/^s[A-Za-z0-9_-]*$/.test(segment)) return undefined;
  const text = Buffer.from(segment.slice(1), 'base64url').toString('utf8');
  // Only the one canonical spelling is accepted: no two paths name the same resource.
  return encodeSegment(text) === segment ? text : undefined;
}

/**
 * A file name people recognise, with the extension VS Code needs to choose a language or an
 * editor (image preview): the resource URI's last path segment, made safe, with the extension
 * of its MIME type when it does not have it already; `.txt` / `.bin` when the type says nothing.
 */
export function resourceFileName(uri: string, mimeType: string | undefined, binary: boolean): string {
  const path = uri.replace(/[?#].*$/s, '').replace(/^[a-z][\w+.-]*:\/*/i, '');
  const last = path.split('/').filter(Boolean).pop() ?? '';
  const base = safeFileName(decodeURIComponentSafely(last), 'resource');
  const type = mimeType?.split(';')[0].trim().toLowerCase();
  const extension = (type && knownExtensions[type]) ?? (type?.startsWith('text/') ? 'txt' : undefined);
  if (extension) return base.toLowerCase().endsWith(`.${extension}`) ? base : `${base}.${extension}`;
  if (/\.[A-Za-z0-9]{1,8}$/.test(base)) return base;
  return `${base}.${binary ? 'bin' : 'txt'}`;
}

function decodeURIComponentSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The path of a resource document: `/<server>/<uri>/<file name>`. */
export function resourceDocumentPath(address: ResourceAddress, fileName: string): string {
  return `/${encodeSegment(address.server)}/${encodeSegment(address.uri)}/${safeFileName(fileName, 'resource')}`;
}

/** The server and resource URI of a document path, or undefined when it is not one of ours. */
export function parseResourceDocumentPath(path: string): ResourceAddress | undefined {
  const segments = path.split('/');
  if (segments.length !== 4 || segments[0] !== '') return undefined;
  const server = decodeSegment(segments[1]);
  const uri = decodeSegment(segments[2]);
  return server === undefined || uri === undefined ? undefined : { server, uri };
}

/** One key per resource, whatever file name its documents carry. */
export function resourceKey(address: ResourceAddress): string {
  return JSON.stringify([address.server, address.uri]);
}
