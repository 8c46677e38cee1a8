// A collapsible JSON tree built from text nodes (no HTML), with the WAI-ARIA tree pattern:
// one tab stop (roving tabindex), ↑/↓ move, → expands or enters, ← collapses or goes to the
// parent, Home/End, Enter/Space toggle. Children are built when a node is first expanded, at most
// jsonChildLimit at a time ("Show more"), so a huge value does not freeze the page.
import { jsonChildLimit } from '../../core/resultView';

type Json = unknown;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function isContainer(value: Json): value is Record<string, Json> | Json[] {
  return value !== null && typeof value === 'object';
}

function entriesOf(value: Record<string, Json> | Json[]): [string, Json][] {
  return Array.isArray(value) ? value.map((item, i) => [String(i), item]) : Object.entries(value);
}

function summary(value: Record<string, Json> | Json[]): string {
  return Array.isArray(value) ? `[${value.length}]` : `{${Object.keys(value).length}}`;
}

function scalar(value: Json): { text: string; type: string } {
  if (typeof value === 'string') return { text: JSON.stringify(value), type: 'string' };
  if (value === null) return { text: 'null', type: 'null' };
  return { text: String(value as number | boolean), type: typeof value };
}

/** Renders `value` as a tree into `container`, expanded `expandDepth` levels deep. */
export function renderJsonTree(container: HTMLElement, value: Json, options: { label: string; expandDepth?: number }): HTMLElement {
  const tree = element('ul', 'json-tree');
  tree.setAttribute('role', 'tree');
  tree.setAttribute('aria-label', options.label);
  const expandDepth = options.expandDepth ?? 2;

  const addItems = (group: HTMLElement, entries: [string, Json][], from: number, level: number) => {
    const end = Math.min(entries.length, from + jsonChildLimit);
    for (let i = from; i < end; i++) group.append(item(entries[i][0], entries[i][1], level));
    if (end < entries.length) {
      const more = element('li', 'json-more', `Show ${Math.min(jsonChildLimit, entries.length - end)} more of ${entries.length - end} remaining`);
      more.setAttribute('role', 'treeitem');
      more.setAttribute('aria-level', String(level));
      more.tabIndex = -1;
      more.addEventListener('json-activate', () => {
        more.remove();
        addItems(group, entries, end, level);
        (group.children[end] as HTMLElement | undefined)?.focus();
      });
      group.append(more);
    }
  };

  const item = (key: string | undefined, value: Json, level: number): HTMLElement => {
    const li = element('li', 'json-item');
    li.setAttribute('role', 'treeitem');
    li.setAttribute('aria-level', String(level));
    li.tabIndex = -1;
    const row = element('div', 'json-row');
    li.append(row);
    row.append(element('span', 'json-twistie'));
    if (key !== undefined) row.append(element('span', 'json-key', key), element('span', 'json-sep', ': '));
    if (!isContainer(value)) {
      const { text, type } = scalar(value);
      row.append(element('span', `json-value json-${type}`, text));
      return li;
    }
    row.append(element('span', 'json-summary', summary(value)));
    const entries = entriesOf(value);
    if (entries.length === 0) return li;
    let group: HTMLElement | undefined;
    const setExpanded = (expanded: boolean) => {
      if (expanded && !group) {
        group = element('ul', 'json-group');
        group.setAttribute('role', 'group');
        addItems(group, entries, 0, level + 1);
        li.append(group);
      }
      li.setAttribute('aria-expanded', String(expanded));
      if (group) group.hidden = !expanded;
    };
    li.addEventListener('json-toggle', (event) => {
      event.stopPropagation();
      setExpanded(li.getAttribute('aria-expanded') !== 'true');
    });
    setExpanded(level <= expandDepth);
    return li;
  };

  const root = item(undefined, value, 1);
  root.tabIndex = 0;
  tree.append(root);
  container.append(tree);

  const visible = () => Array.from(tree.querySelectorAll<HTMLElement>('[role=treeitem]')).filter((node) => !node.parentElement?.closest('[role=group][hidden]'));
  const focus = (target: HTMLElement | undefined) => {
    if (!target) return;
    tree.querySelectorAll<HTMLElement>('[role=treeitem][tabindex="0"]').forEach((node) => (node.tabIndex = -1));
    target.tabIndex = 0;
    target.focus();
  };
  const activate = (target: HTMLElement) => {
    if (target.classList.contains('json-more')) target.dispatchEvent(new Event('json-activate'));
    else if (target.hasAttribute('aria-expanded')) target.dispatchEvent(new Event('json-toggle'));
  };

  tree.addEventListener('click', (event) => {
    const target = (event.target as Element).closest<HTMLElement>('[role=treeitem]');
    if (!target) return;
    focus(target);
    activate(target);
  });
  tree.addEventListener('keydown', (event) => {
    const current = (event.target as Element).closest<HTMLElement>('[role=treeitem]');
    if (!current) return;
    const items = visible();
    const index = items.indexOf(current);
    const expanded = current.getAttribute('aria-expanded');
    switch (event.key) {
      case 'ArrowDown':
        focus(items[index + 1]);
        break;
      case 'ArrowUp':
        focus(items[index - 1]);
        break;
      case 'Home':
        focus(items[0]);
        break;
      case 'End':
        focus(items[items.length - 1]);
        break;
      case 'ArrowRight':
        if (expanded === 'false') activate(current);
        else if (expanded === 'true') focus(visible()[index + 1]);
        break;
      case 'ArrowLeft':
        if (expanded === 'true') activate(current);
        else focus(current.parentElement?.closest<HTMLElement>('[role=treeitem]') ?? undefined);
        break;
      case 'Enter':
      case ' ':
        activate(current);
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  });
  return tree;
}
