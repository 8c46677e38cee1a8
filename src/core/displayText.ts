// The one way text from a server, a remote endpoint or a workspace file reaches a surface
// that a person reads. Each surface renders something of its own, so each has its function:
//
// - Notifications, progress messages and input-box prompts render `[label](command:…)`,
//   `[label](https://…)` and `[label](file:…)` as live links (VS Code's linkedText): a server
//   that can put text there can make the user run a command with one click.
// - Quick picks, the status bar and input-box prompts render `$(icon)` syntax.
// - Markdown (tree tooltips, hovers) renders everything Markdown does.
// - A terminal runs escape sequences.
// Everywhere, control characters can hide or rewrite what is shown, and bidi controls make a
// text read differently from what it is (Trojan Source).
//
// Our own wording around such text is not passed through these; the hostile part is.

/** C0/C1 controls except tab and newline, DEL, and the bidi and zero-width format characters. */
const invisible = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;
const lineBreaks = /\r\n|[\r\n\u2028\u2029]/g;
/** What VS Code's linkedText recognises as a link: `](` followed by a link target. */
const linkOpening = /\]\s*\(/g;
const iconSyntax = /\$\(/g;

/** Longest hostile text shown in one place; longer text is cut with an ellipsis. */
export const displayTextLimit = 2000;

function cut(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** Removes control, bidi and zero-width characters; keeps tab and newline. */
export function stripInvisible(text: string): string {
  return text.replace(invisible, '');
}

/**
 * For one-line surfaces that render text as it is: tree labels and descriptions, plain-string
 * tooltips, log-free titles. Line breaks become spaces.
 */
export function labelText(text: string, limit = displayTextLimit): string {
  return cut(stripInvisible(text.replace(lineBreaks, ' ')), limit);
}

/**
 * For notifications (showErrorMessage and friends) and progress messages: no link survives.
 * `[x](command:y)` is shown as `[x] (command:y)`, which VS Code does not turn into a link.
 */
export function notificationText(text: string, limit = displayTextLimit): string {
  return cut(stripInvisible(text.replace(lineBreaks, ' ')).replace(linkOpening, '] ('), limit);
}

/**
 * For surfaces that render `$(icon)` and links as well: quick-pick labels, descriptions and
 * details, the status bar, input-box titles, prompts and placeholders. `\$(` is VS Code's
 * escape for icon syntax.
 */
export function iconLabelText(text: string, limit = displayTextLimit): string {
  return notificationText(text, limit).replace(iconSyntax, '\\$(');
}

const markdownSpecial = /[\\`*_{}[\]()#+\-.!|<>~&$:]/g;

/**
 * For text placed inside a MarkdownString: every character Markdown, HTML or autolinks could
 * act on is escaped, so the text renders as itself. Line breaks are kept as hard breaks. Theme
 * icons are not stopped by any escape here (VS Code renders `$(icon)` after the Markdown), so a
 * MarkdownString holding such text has supportThemeIcons off.
 */
export function markdownText(text: string, limit = displayTextLimit): string {
  return cut(stripInvisible(text), limit)
    .replace(markdownSpecial, '\\$&')
    .replace(lineBreaks, '  \n');
}

/**
 * For a terminal (the CLI's output): control and bidi characters are shown as `\u{…}`
 * escapes instead of being acted on; newline and tab are kept when `multiline`.
 */
export function terminalText(text: string, multiline = false): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, (ch) =>
    multiline && (ch === '\n' || ch === '\t') ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`,
  );
}

/**
 * A fenced code block for a MarkdownString, holding `code` as it is: the fence is longer
 * than any run of backticks in it, so the code cannot close the block and continue as Markdown.
 */
export function markdownCodeBlock(code: string, language = '', limit = displayTextLimit): string {
  const text = cut(stripInvisible(code), limit);
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${language}\n${text}\n${fence}\n`;
}
