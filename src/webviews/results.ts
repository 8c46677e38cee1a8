// The results view's page: renders one tool call's ResultViewData (posted by
// src/vscode/webviews/resultsPanel.ts) with text nodes; Markdown goes through
// shared/markdown.ts, JSON through shared/jsonTree.ts. Everything that leaves the page (copy,
// links, resources, saving) is a message to the host. Long texts are cut at textRenderLimit
// with "Show all"; the raw JSON is always copyable from the host.
import { webviewApi } from './shared/vscodeApi';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import {
  boundedText,
  formatBytes,
  formatDuration,
  markdownRenderLimit,
  parseJsonText,
  type RenderedSummary,
  type ResultItem,
  type ResultViewData,
  type ResultsToHost,
  type ResultsToWebview,
  type TextFormat,
} from '../core/resultView';
import { renderJsonTree } from './shared/jsonTree';
import { onMarkdownLink, renderMarkdown } from './shared/markdown';

interface PageState {
  /** Text blocks (by id) the user switched to raw. */
  raw: Record<string, boolean>;
}

const vscode = webviewApi<ResultsToHost, PageState>();
const state: PageState = vscode.getState() ?? { raw: {} };
const root = document.getElementById('root')!;

const styles = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 24px; }
h1 { font-size: 1.4em; font-weight: 600; margin: 16px 0 4px; display: flex; gap: 8px; align-items: center; }
h2 { font-size: 1.1em; font-weight: 600; margin: 0 0 6px; }
.facts { color: var(--vscode-descriptionForeground); display: flex; flex-wrap: wrap; gap: 4px 16px; margin-bottom: 8px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0 12px; }
.item { border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); border-radius: 4px; padding: 8px 12px; margin: 0 0 12px; }
.item-head { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; color: var(--vscode-descriptionForeground); margin-bottom: 6px; }
pre.text { white-space: pre-wrap; word-break: break-word; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); margin: 0; }
.markdown a.md-link { color: var(--vscode-textLink-foreground); cursor: pointer; text-decoration: underline; }
.markdown pre, .markdown code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); }
.markdown pre { padding: 8px; overflow-x: auto; }
.is-error .banner, .schema-invalid { border-left: 4px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); background: var(--vscode-inputValidation-errorBackground); padding: 6px 10px; margin: 8px 0; }
.is-error .item { border-color: var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); }
.banner { font-weight: 600; color: var(--vscode-errorForeground); }
.schema-valid { color: var(--vscode-testing-iconPassed, var(--vscode-foreground)); margin: 0 0 6px; }
.schema-note { color: var(--vscode-descriptionForeground); margin: 0 0 6px; }
img.result-image { max-width: 100%; image-rendering: auto; background: repeating-conic-gradient(#8884 0% 25%, transparent 0% 50%) 50% / 16px 16px; }
.notice { color: var(--vscode-descriptionForeground); font-style: italic; margin: 6px 0; }
.resource-link { color: var(--vscode-textLink-foreground); cursor: pointer; text-decoration: underline; background: none; border: none; padding: 0; font: inherit; }
.json-tree, .json-group { list-style: none; margin: 0; padding-left: 0; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
.json-group { padding-left: 16px; }
.json-row { display: flex; gap: 0; padding: 1px 2px; cursor: default; }
[role=treeitem]:focus { outline: none; }
[role=treeitem]:focus > .json-row, .json-more:focus { outline: 1px solid var(--vscode-focusBorder); }
.json-twistie { display: inline-block; width: 14px; }
[aria-expanded=true] > .json-row > .json-twistie::before { content: '▾'; }
[aria-expanded=false] > .json-row > .json-twistie::before { content: '▸'; }
.json-key { color: var(--vscode-symbolIcon-propertyForeground, var(--vscode-foreground)); }
.json-sep { white-space: pre; }
.json-string { color: var(--vscode-debugTokenExpression-string, #ce9178); }
.json-number, .json-boolean, .json-null { color: var(--vscode-debugTokenExpression-number, #b5cea8); }
.json-summary { color: var(--vscode-descriptionForeground); }
.json-more { color: var(--vscode-textLink-foreground); cursor: pointer; padding-left: 16px; }
`;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label: string, onClick: () => void, secondary = true): HTMLElement {
  const node = document.createElement('vscode-button');
  node.textContent = label;
  if (secondary) node.setAttribute('secondary', '');
  node.addEventListener('click', onClick);
  return node;
}

const post = (message: ResultsToHost) => vscode.postMessage(message);

class Renderer {
  readonly summary: RenderedSummary = { kinds: [], markdownBlocks: 0, images: 0, audios: 0, jsonTrees: 0, truncatedTexts: 0, error: false };

  render(data: ResultViewData): void {
    root.replaceChildren();
    root.classList.toggle('is-error', data.isError);
    this.summary.error = data.isError;
    const title = element('h1', undefined, `${data.tool} result`);
    if (data.isError) {
      const badge = document.createElement('vscode-badge');
      badge.textContent = 'error';
      title.append(badge);
    }
    root.append(title, this.facts(data));
    if (data.isError) {
      const banner = element('div', 'banner', `The tool reported an error (isError).`);
      banner.setAttribute('role', 'alert');
      root.append(banner);
    }
    root.append(this.toolbar());
    if (data.items.length === 0 && !data.structured) root.append(element('p', 'notice', 'The result has no content.'));
    data.items.forEach((item, index) => root.append(this.item(item, index)));
    if (data.structured) root.append(this.structured(data.structured));
    post({ type: 'rendered', summary: this.summary });
  }

  private facts(data: ResultViewData): HTMLElement {
    const facts = element('div', 'facts');
    const fact = (label: string, value: string) => facts.append(element('span', 'fact', `${label}: ${value}`));
    fact('Server', data.server);
    if (data.protocol) fact('Era', `${data.protocol.era} (${data.protocol.version})`);
    fact('Time', new Date(data.time).toLocaleString());
    if (data.durationMs !== undefined) fact('Duration', formatDuration(data.durationMs));
    fact('Size', formatBytes(data.bytes));
    return facts;
  }

  private toolbar(): HTMLElement {
    const bar = element('div', 'toolbar');
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Result actions');
    bar.append(
      button('Copy Text', () => post({ type: 'copy', what: 'text' }), false),
      button('Copy JSON', () => post({ type: 'copy', what: 'json' })),
      button('Open as Text', () => post({ type: 'openAsText' })),
    );
    return bar;
  }

  private section(kind: string, heading: string): { section: HTMLElement; head: HTMLElement } {
    this.summary.kinds.push(kind);
    const section = element('section', `item item-${kind}`);
    section.setAttribute('aria-label', heading);
    const head = element('div', 'item-head');
    head.append(element('span', 'item-kind', heading));
    section.append(head);
    return { section, head };
  }

  private item(item: ResultItem, index: number): HTMLElement {
    const id = `item-${index}`;
    switch (item.kind) {
      case 'text': {
        const { section, head } = this.section('text', item.format === 'markdown' ? 'Text (Markdown)' : item.format === 'json' ? 'Text (JSON)' : 'Text');
        this.text(section, head, item.text, item.format, id);
        return section;
      }
      case 'image': {
        const { section } = this.section('image', `Image (${item.mimeType}, ${formatBytes(item.bytes)})`);
        const image = element('img', 'result-image');
        image.alt = `Image from the tool, ${item.mimeType}, ${formatBytes(item.bytes)}`;
        image.src = `data:${item.mimeType};base64,${item.data}`;
        this.summary.images++;
        section.append(image, element('div', 'toolbar'));
        section.lastElementChild!.append(button('Open in Editor', () => post({ type: 'openMedia', index })));
        return section;
      }
      case 'audio': {
        const { section } = this.section('audio', `Audio (${item.mimeType}, ${formatBytes(item.bytes)})`);
        const audio = element('audio', 'result-audio');
        audio.controls = true;
        audio.preload = 'metadata';
        audio.src = `data:${item.mimeType};base64,${item.data}`;
        audio.setAttribute('aria-label', `Audio from the tool, ${item.mimeType}`);
        this.summary.audios++;
        section.append(audio);
        return section;
      }
      case 'media': {
        const { section } = this.section('media', `${item.media === 'image' ? 'Image' : 'Audio'} (${item.mimeType}, ${formatBytes(item.bytes)})`);
        section.append(element('p', 'notice', `${item.mimeType} is not shown here: only common ${item.media} types are.`));
        section.append(button('Open in Editor', () => post({ type: 'openMedia', index })));
        return section;
      }
      case 'resource-text': {
        const { section, head } = this.section('resource', `Embedded resource ${item.uri}${item.mimeType ? ` (${item.mimeType})` : ''}`);
        this.text(section, head, item.text, item.format, id);
        return section;
      }
      case 'resource-blob': {
        const { section } = this.section('resource-blob', `Embedded resource ${item.uri} (${item.mimeType ?? 'binary'}, ${formatBytes(item.bytes)})`);
        section.append(button('Save…', () => post({ type: 'saveBlob', index: item.index })));
        return section;
      }
      case 'resource-link': {
        const { section } = this.section('resource-link', 'Resource link');
        const link = element('button', 'resource-link', item.title ?? item.name);
        link.title = `Open ${item.uri}`;
        link.addEventListener('click', () => post({ type: 'openResource', uri: item.uri }));
        section.append(link, element('div', 'notice', item.uri + (item.mimeType ? ` (${item.mimeType})` : '')));
        if (item.description) section.append(element('p', undefined, item.description));
        return section;
      }
      case 'unknown': {
        const { section } = this.section('unknown', `Content of type "${item.type}"`);
        section.append(element('pre', 'text', boundedText(item.json).shown));
        return section;
      }
    }
  }

  /** A text block: Markdown rendered or raw, JSON as a tree or raw, plain text; bounded. */
  private text(section: HTMLElement, head: HTMLElement, text: string, format: TextFormat, id: string): void {
    const body = element('div', 'text-body');
    section.append(body);
    const json = format === 'json' ? parseJsonText(text) : undefined;
    const renderable = format === 'json' ? json !== undefined : format === 'markdown' && text.length <= markdownRenderLimit;
    const show = () => {
      body.replaceChildren();
      if (renderable && !state.raw[id]) {
        if (format === 'markdown') {
          const container = element('div', 'markdown');
          renderMarkdown(container, text);
          onMarkdownLink(container, (url) => post({ type: 'openLink', url }));
          body.append(container);
          return;
        }
        renderJsonTree(body, json, { label: 'JSON text' });
        return;
      }
      this.plain(body, text);
    };
    if (renderable) {
      if (format === 'markdown') this.summary.markdownBlocks++;
      else this.summary.jsonTrees++;
      const toggle = button(state.raw[id] ? 'Show Rendered' : 'Show Raw', () => {
        state.raw[id] = !state.raw[id];
        vscode.setState(state);
        toggle.textContent = state.raw[id] ? 'Show Rendered' : 'Show Raw';
        toggle.setAttribute('aria-pressed', String(Boolean(state.raw[id])));
        show();
      });
      toggle.setAttribute('aria-pressed', String(Boolean(state.raw[id])));
      head.append(toggle);
    } else if (format === 'markdown') {
      section.insertBefore(element('p', 'notice', `Shown as plain text: Markdown is rendered up to ${formatBytes(markdownRenderLimit)}.`), body);
    }
    show();
  }

  /** Plain text, cut at textRenderLimit with "Show all". */
  private plain(body: HTMLElement, text: string): void {
    const { shown, cut } = boundedText(text);
    const pre = element('pre', 'text', shown);
    body.append(pre);
    if (!cut) return;
    this.summary.truncatedTexts++;
    const notice = element('p', 'notice', `Showing ${shown.length.toLocaleString()} of ${text.length.toLocaleString()} characters. Copy Text copies all of it.`);
    const showAll = button('Show All', () => {
      pre.textContent = text;
      notice.remove();
      showAll.remove();
    });
    body.append(notice, showAll);
  }

  private structured(structured: NonNullable<ResultViewData['structured']>): HTMLElement {
    const { section } = this.section('structured', 'Structured content');
    const { check } = structured;
    this.summary.schemaStatus = check.status;
    switch (check.status) {
      case 'valid':
        section.append(element('p', 'schema-valid', "✓ Matches the tool's outputSchema."));
        break;
      case 'no-schema':
        section.append(element('p', 'schema-note', 'The tool declares no outputSchema: not validated.'));
        break;
      case 'invalid':
      case 'schema-error': {
        const box = element('div', 'schema-invalid');
        box.setAttribute('role', 'alert');
        box.append(
          element('strong', undefined, check.status === 'invalid' ? "Does not match the tool's outputSchema" : "The tool's outputSchema could not be used"),
          element('pre', 'text', check.errors),
        );
        section.append(box);
        break;
      }
    }
    renderJsonTree(section, structured.value, { label: 'Structured content' });
    this.summary.jsonTrees++;
    return section;
  }
}

const style = document.createElement('style');
style.textContent = styles;
document.head.append(style);

window.addEventListener('message', (event: MessageEvent<ResultsToWebview>) => {
  const message = event.data;
  if (message?.type === 'show') new Renderer().render(message.data);
});
post({ type: 'ready' });
