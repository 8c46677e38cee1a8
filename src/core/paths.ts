// The one way text from a server or a workspace file becomes part of a path: a name such as
// `..`, `a/../../b` or `/etc/passwd` must never lead a write outside the folder meant for it.

import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Longest file-name segment made from hostile text. */
const segmentLimit = 60;

/**
 * A single file-name segment made from hostile text: letters, digits, `_`, `-` and `.` are kept,
 * everything else (separators, spaces, control characters) becomes `_`, and leading dots become
 * `_` too, so the result is never `.`, `..` or a hidden file. Never empty: `fallback` instead.
 */
export function safeFileName(text: string, fallback = 'file'): string {
  const segment = text
    .replace(/[^\w.-]+/g, '_')
    .replace(/^\.+/, (dots) => '_'.repeat(dots.length))
    .slice(0, segmentLimit);
  return segment === '' ? fallback : segment;
}

/** A path that leaves its folder: `containedPath` refuses to return it. */
export class PathEscapeError extends Error {
  constructor(folder: string, path: string) {
    super(`"${path}" is outside ${folder}`);
    this.name = 'PathEscapeError';
  }
}

/**
 * `segments` joined under `folder`, checked to stay strictly inside it; throws PathEscapeError
 * otherwise. Use it for every path that holds a hostile part, even after `safeFileName`.
 */
export function containedPath(folder: string, ...segments: string[]): string {
  const base = resolve(folder);
  const path = resolve(base, ...segments);
  const rest = relative(base, path);
  if (rest === '' || rest === '..' || rest.startsWith(`..${sep}`) || isAbsolute(rest)) throw new PathEscapeError(base, path);
  return path;
}
