// The one place a webview turns text into HTML: Markdown from a server, rendered by markdown-it
// with raw HTML off (a `<script>` or `<img onerror>` in the text stays text), images off (the
// page loads nothing a server names), and links limited to http, https and mailto
// (isAllowedLink); other link syntax renders as text. A link carries no href, so a click never
// navigates the page: its target is in data-href, and the page asks the host to open it, which
// asks the user first (src/vscode/webviews/resultsPanel.ts). ESLint exempts this file alone from
// the rule against HTML sinks in src/webviews.
import MarkdownIt from 'markdown-it';
import { isAllowedLink } from '../../core/resultView';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });
markdown.disable('image');
markdown.validateLink = isAllowedLink;
markdown.renderer.rules.link_open = (tokens, idx) => {
  const href = tokens[idx].attrGet('href') ?? '';
  const escaped = markdown.utils.escapeHtml(href);
  return `<a class="md-link" role="link" tabindex="0" data-href="${escaped}" title="${escaped}">`;
};

/** The HTML of `text` rendered as Markdown under the rules above. */
export function markdownHtml(text: string): string {
  return markdown.render(text);
}

/** Renders `text` as Markdown into `container`, replacing what it held. */
export function renderMarkdown(container: HTMLElement, text: string): void {
  container.innerHTML = markdownHtml(text);
}

/** Calls `open` with a link's target when a rendered link is clicked or activated with Enter. */
export function onMarkdownLink(container: HTMLElement, open: (url: string) => void): void {
  const activate = (event: Event) => {
    const link = (event.target as Element | null)?.closest?.('a.md-link');
    if (!link) return;
    event.preventDefault();
    const url = link.getAttribute('data-href');
    if (url && isAllowedLink(url)) open(url);
  };
  container.addEventListener('click', activate);
  container.addEventListener('keydown', (event) => {
    if ((event as KeyboardEvent).key === 'Enter') activate(event);
  });
}
