// A form generated from a server's JSON Schema (2020-12 or draft-07), for webviews: the call form
// (a tool's inputSchema) and elicitation (a requestedSchema).
//
//   const form = createSchemaForm(container, schema, { value, onChange });
//   form.value()          the current value (a tool's arguments)
//   form.setValue(v)      replaces it and redraws
//   form.validate()       checks it now, shows each error at its field, returns them ([] = valid)
//   form.showErrors(es)   shows errors found elsewhere (the extension checks again before sending)
//   form.dispose()        removes the form
//
// Strings (an enum is a select; `format` picks the input and is shown as a hint), numbers and
// integers with their bounds, booleans, arrays (add, remove, move up and down), nested objects,
// oneOf / anyOf as a choice of options, required markers, defaults and descriptions. Anything the
// form cannot express (open types, allOf, free-form keys, tuples, recursion, a `$ref` outside the
// document — never fetched) is a JSON box at that field, with a note. A second tab edits the whole
// value as JSON; the two stay in sync both ways.
//
// Everything the server wrote (titles, descriptions, enum values) goes into the page as text.
// Controls are @vscode-elements/elements: keyboard-operable, coloured by VS Code's theme.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { choiceIndexFor, constraintHint, fieldModel, initialValue, pointer, valueAt, withValueAt, type FieldModel, type FieldPath } from './model';
import { argumentValidator, type FieldError } from './validation';

export type { FieldError } from './validation';

export interface SchemaFormOptions {
  /** The value to start with; the schema's defaults when undefined. */
  value?: unknown;
  /** Called after every edit, with the new value and its errors (not yet shown: see validate()). */
  onChange?: (value: unknown, errors: FieldError[]) => void;
}

export interface SchemaForm {
  value(): unknown;
  setValue(value: unknown): void;
  validate(): FieldError[];
  showErrors(errors: readonly FieldError[]): void;
  dispose(): void;
}

const styles = `
.schema-form { display: flex; flex-direction: column; gap: 8px; }
.schema-form .field { display: flex; flex-direction: column; gap: 4px; margin: 4px 0; }
.schema-form .description, .schema-form .hint, .schema-form .note { color: var(--vscode-descriptionForeground); font-size: 0.92em; }
.schema-form .note { font-style: italic; }
.schema-form .error { color: var(--vscode-errorForeground); font-size: 0.92em; }
.schema-form .error:empty { display: none; }
.schema-form fieldset { border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); border-radius: 4px; padding: 4px 10px 8px; margin: 0; }
.schema-form legend { padding: 0 4px; font-weight: 600; }
.schema-form .item { display: flex; gap: 6px; align-items: flex-start; border-left: 2px solid var(--vscode-panel-border); padding-left: 8px; }
.schema-form .item > .field { flex: 1; }
.schema-form .item-actions { display: flex; gap: 4px; margin-top: 4px; }
.schema-form vscode-textfield, .schema-form vscode-single-select, .schema-form vscode-textarea { width: 100%; max-width: 40em; }
.schema-form .raw-json { width: 100%; max-width: none; }
.schema-form .required { color: var(--vscode-errorForeground); }
`;

let formCount = 0;

export function createSchemaForm(container: HTMLElement, schema: unknown, options: SchemaFormOptions = {}): SchemaForm {
  const model = fieldModel(schema);
  const validator = argumentValidator(schema);
  const formId = `schema-form-${++formCount}`;
  let current: unknown = options.value === undefined ? initialValue(model) : structuredClone(options.value);
  /** The option chosen for each oneOf / anyOf field, by pointer. */
  const choices = new Map<string, number>();
  /** Raw JSON boxes whose text does not parse, by pointer. */
  const parseErrors = new Map<string, string>();
  let shownErrors: readonly FieldError[] = [];
  let controlCount = 0;

  const root = element('div', 'schema-form');
  const style = document.createElement('style');
  style.textContent = styles;
  root.append(style);

  const tabs = document.createElement('vscode-tabs');
  const formHeader = document.createElement('vscode-tab-header');
  formHeader.slot = 'header';
  formHeader.textContent = 'Form';
  const jsonHeader = document.createElement('vscode-tab-header');
  jsonHeader.slot = 'header';
  jsonHeader.textContent = 'JSON';
  const formPanel = document.createElement('vscode-tab-panel');
  const fields = element('div', 'fields');
  formPanel.append(fields);
  const jsonPanel = document.createElement('vscode-tab-panel');
  const jsonLabel = document.createElement('vscode-label');
  jsonLabel.textContent = 'Arguments as JSON';
  const jsonBox = document.createElement('vscode-textarea');
  jsonBox.id = `${formId}-json`;
  jsonLabel.htmlFor = jsonBox.id;
  jsonBox.className = 'raw-json';
  jsonBox.rows = 16;
  jsonBox.dataset.pointer = '';
  const jsonError = element('div', 'error');
  jsonError.setAttribute('aria-live', 'polite');
  jsonPanel.append(jsonLabel, jsonBox, jsonError);
  tabs.append(formHeader, formPanel, jsonHeader, jsonPanel);
  root.append(tabs);
  container.append(root);

  if (validator.externalRefs.length > 0 || validator.problem) {
    const note = element('div', 'note');
    note.textContent = validator.problem ?? `The schema refers to ${validator.externalRefs.map((r) => `"${r}"`).join(', ')}; such references are never fetched, so those parts are checked by the server only.`;
    root.insertBefore(note, tabs);
  }

  jsonBox.addEventListener('input', () => {
    const text = jsonBox.value;
    try {
      current = text.trim() === '' ? undefined : JSON.parse(text);
      parseErrors.delete('#json');
      jsonError.textContent = '';
      jsonBox.invalid = false;
    } catch (e) {
      parseErrors.set('#json', `The JSON is not valid: ${e instanceof Error ? e.message : String(e)}`);
      jsonError.textContent = parseErrors.get('#json')!;
      jsonBox.invalid = true;
    }
    changed();
  });
  tabs.addEventListener('vsc-tabs-select', (e) => {
    if (e.detail.selectedIndex === 0) redraw();
    else syncJson();
  });

  function changed(): void {
    options.onChange?.(current, errorsOf(current));
  }

  function set(path: FieldPath, value: unknown): void {
    current = withValueAt(current, path, value);
    syncJson();
    changed();
  }

  function syncJson(): void {
    if (parseErrors.has('#json') && document.activeElement === jsonBox) return;
    jsonBox.value = current === undefined ? '' : JSON.stringify(current, null, 2);
    parseErrors.delete('#json');
    jsonError.textContent = '';
    jsonBox.invalid = false;
  }

  function errorsOf(value: unknown): FieldError[] {
    const parse = [...parseErrors].map(([at, message]) => ({ pointer: at === '#json' ? '' : at, message }));
    return [...parse, ...validator(value)];
  }

  /** Redraws every field from the value, keeping the focus on the control that had it. */
  function redraw(): void {
    const focusKey = (document.activeElement as HTMLElement | null)?.dataset?.focusKey;
    fields.replaceChildren(renderField(model, [], true));
    applyErrors();
    if (focusKey) fields.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function nextId(): string {
    return `${formId}-c${++controlCount}`;
  }

  function renderField(field: FieldModel, path: FieldPath, isRoot = false, labelOverride?: string): HTMLElement {
    const at = pointer(path);
    const wrapper = element('div', 'field');
    wrapper.dataset.pointer = at;
    const value = valueAt(current, path);
    const label = labelOverride ?? field.label;
    const describe = (): void => {
      if (field.description) wrapper.append(textElement('div', 'description', field.description));
      const hint = constraintHint(field);
      if (hint) wrapper.append(textElement('div', 'hint', hint));
    };
    const labelFor = (id: string): HTMLElement => {
      const labelElement = document.createElement('vscode-label');
      labelElement.htmlFor = id;
      labelElement.textContent = label;
      labelElement.required = field.required && !isItem(path);
      return labelElement;
    };
    const errorSlot = (): void => {
      const error = element('div', 'error');
      error.dataset.errorFor = at;
      wrapper.append(error);
    };

    switch (field.kind) {
      case 'string':
      case 'number':
      case 'integer': {
        const input = document.createElement('vscode-textfield');
        input.id = nextId();
        input.dataset.focusKey = at;
        input.type = field.kind === 'string' ? field.input : 'text';
        if (field.kind !== 'string') input.setAttribute('inputmode', field.kind === 'integer' ? 'numeric' : 'decimal');
        input.value = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
        input.required = field.required;
        input.addEventListener('input', () => {
          const text = input.value;
          if (text === '') return set(path, isItem(path) && field.kind === 'string' ? '' : undefined);
          if (field.kind === 'string') return set(path, text);
          const number = Number(text.trim());
          // Text that is not a number stays text, so the check says what is wrong at this field.
          set(path, text.trim() !== '' && Number.isFinite(number) ? number : text);
        });
        wrapper.append(labelFor(input.id), input);
        describe();
        errorSlot();
        return wrapper;
      }
      case 'boolean': {
        const checkbox = document.createElement('vscode-checkbox');
        checkbox.id = nextId();
        checkbox.dataset.focusKey = at;
        checkbox.label = label;
        checkbox.checked = value === true;
        checkbox.addEventListener('change', () => set(path, checkbox.checked));
        wrapper.append(checkbox);
        describe();
        errorSlot();
        return wrapper;
      }
      case 'enum': {
        const select = document.createElement('vscode-single-select');
        select.id = nextId();
        select.dataset.focusKey = at;
        const unset = !field.required || !field.options.some((o) => sameJson(o.value, value));
        if (unset) select.append(option('', field.required ? '(choose)' : '(not set)'));
        field.options.forEach((o, i) => select.append(option(String(i), o.label)));
        const selected = field.options.findIndex((o) => sameJson(o.value, value));
        select.value = selected === -1 ? '' : String(selected);
        select.addEventListener('change', () => set(path, select.value === '' ? undefined : structuredClone(field.options[Number(select.value)].value)));
        wrapper.append(labelFor(select.id), select);
        describe();
        errorSlot();
        return wrapper;
      }
      case 'object': {
        const body = isRoot ? wrapper : fieldset(wrapper, label, field.required && !isItem(path));
        if (!isRoot && field.description) body.append(textElement('div', 'description', field.description));
        errorSlot();
        for (const property of field.properties) body.append(renderField(property.field, [...path, property.name]));
        if (field.properties.length === 0 && isRoot) body.append(textElement('div', 'note', 'This tool takes no arguments.'));
        return wrapper;
      }
      case 'array': {
        const body = fieldset(wrapper, label, field.required && !isItem(path));
        describe();
        const items: unknown[] = Array.isArray(value) ? value : [];
        items.forEach((_, index) => {
          const item = element('div', 'item');
          item.append(renderField(field.items, [...path, index], false, `${field.items.label} ${index + 1}`));
          const actions = element('div', 'item-actions');
          actions.append(
            button('Up', `Move item ${index + 1} up`, `${at}/${index}:up`, index === 0, () => move(path, index, index - 1)),
            button('Down', `Move item ${index + 1} down`, `${at}/${index}:down`, index === items.length - 1, () => move(path, index, index + 1)),
            button('Remove', `Remove item ${index + 1}`, `${at}/${index}:remove`, false, () => {
              const next = items.filter((__, i) => i !== index);
              current = withValueAt(current, path, next);
              afterStructuralChange(`${at}:add`);
            }),
          );
          item.append(actions);
          body.append(item);
        });
        body.append(
          button('Add item', `Add an item to ${label || 'the list'}`, `${at}:add`, field.maxItems !== undefined && items.length >= field.maxItems, () => {
            current = withValueAt(current, path, [...items, initialValue({ ...field.items, required: true }) ?? emptyOf(field.items)]);
            afterStructuralChange(`${at}/${items.length}`);
          }),
        );
        errorSlot();
        return wrapper;
      }
      case 'choice': {
        const chosen = choices.get(at) ?? choiceIndexFor(field, value);
        choices.set(at, chosen);
        const select = document.createElement('vscode-single-select');
        select.id = nextId();
        select.dataset.focusKey = `${at}:choice`;
        field.options.forEach((o, i) => select.append(option(String(i), o.label)));
        select.value = String(chosen);
        select.addEventListener('change', () => {
          const index = Number(select.value);
          choices.set(at, index);
          current = withValueAt(current, path, initialValue({ ...field.options[index].field, required: true }) ?? emptyOf(field.options[index].field));
          afterStructuralChange(`${at}:choice`);
        });
        const body = fieldset(wrapper, label, field.required && !isItem(path));
        if (field.description) body.append(textElement('div', 'description', field.description));
        const choiceLabel = document.createElement('vscode-label');
        choiceLabel.htmlFor = select.id;
        choiceLabel.textContent = field.keyword === 'oneOf' ? 'One of' : 'Any of';
        body.append(choiceLabel, select);
        errorSlot();
        body.append(renderField({ ...field.options[chosen].field, required: field.required }, path, false, field.options[chosen].label));
        return wrapper;
      }
      case 'raw': {
        const box = document.createElement('vscode-textarea');
        box.id = nextId();
        box.dataset.focusKey = at;
        box.rows = 4;
        box.value = value === undefined ? '' : JSON.stringify(value, null, 2);
        box.addEventListener('input', () => {
          try {
            const parsed: unknown = box.value.trim() === '' ? undefined : JSON.parse(box.value);
            parseErrors.delete(at);
            set(path, parsed);
          } catch (e) {
            parseErrors.set(at, `Not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
            changed();
          }
        });
        wrapper.append(labelFor(box.id), box, textElement('div', 'note', `${field.note} (JSON)`));
        describe();
        errorSlot();
        return wrapper;
      }
    }
  }

  function move(path: FieldPath, from: number, to: number): void {
    const items = [...((valueAt(current, path) as unknown[] | undefined) ?? [])];
    const [item] = items.splice(from, 1);
    items.splice(to, 0, item);
    current = withValueAt(current, path, items);
    afterStructuralChange(`${pointer(path)}/${to}:${to < from ? 'up' : 'down'}`);
  }

  function afterStructuralChange(focusKey: string): void {
    syncJson();
    changed();
    redraw();
    const target = fields.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey)}"]`) ?? fields.querySelector<HTMLElement>(`[data-focus-key^="${CSS.escape(focusKey.replace(/:.*$/, ''))}"]`);
    target?.focus();
  }

  function applyErrors(): void {
    fields.querySelectorAll<HTMLElement>('[data-error-for]').forEach((slot) => (slot.textContent = ''));
    fields.querySelectorAll<HTMLElement & { invalid?: boolean }>('[data-focus-key]').forEach((control) => {
      if ('invalid' in control) control.invalid = false;
    });
    const unplaced: string[] = [];
    for (const error of shownErrors) {
      const slot = closestSlot(error.pointer);
      if (!slot) {
        unplaced.push(error.message);
        continue;
      }
      slot.textContent = slot.textContent ? `${slot.textContent} ${error.message}` : error.message;
      const control = fields.querySelector<HTMLElement & { invalid?: boolean }>(`[data-focus-key="${CSS.escape(slot.dataset.errorFor ?? '')}"]`);
      if (control && 'invalid' in control) control.invalid = true;
    }
    jsonError.textContent = [parseErrors.get('#json'), ...shownErrors.map((e) => `${e.pointer || '(arguments)'}: ${e.message}`)].filter(Boolean).join('\n');
    if (unplaced.length > 0) {
      const rootSlot = fields.querySelector<HTMLElement>('[data-error-for=""]');
      if (rootSlot) rootSlot.textContent = unplaced.join(' ');
    }
  }

  /** The error slot of the field at `at`, else of its nearest shown parent. */
  function closestSlot(at: string): HTMLElement | undefined {
    let path = at;
    for (;;) {
      const slot = fields.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(path)}"]`);
      if (slot) return slot;
      if (path === '') return undefined;
      path = path.slice(0, path.lastIndexOf('/'));
    }
  }

  redraw();
  syncJson();

  return {
    value: () => current,
    setValue(value: unknown) {
      current = structuredClone(value);
      choices.clear();
      parseErrors.clear();
      syncJson();
      redraw();
    },
    validate() {
      shownErrors = errorsOf(current);
      applyErrors();
      return [...shownErrors];
    },
    showErrors(errors) {
      shownErrors = [...errors];
      applyErrors();
    },
    dispose() {
      root.remove();
    },
  };
}

function isItem(path: FieldPath): boolean {
  return typeof path[path.length - 1] === 'number';
}

function emptyOf(field: FieldModel): unknown {
  switch (field.kind) {
    case 'string':
      return '';
    case 'object':
      return {};
    case 'array':
      return [];
    case 'boolean':
      return false;
    case 'enum':
      return field.options[0]?.value ?? null;
    default:
      return null;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function element(tag: 'div' | 'fieldset' | 'legend', className: string): HTMLElement {
  const el = document.createElement(tag);
  el.className = className;
  return el;
}

function textElement(tag: 'div' | 'span', className: string, text: string): HTMLElement {
  const el = document.createElement(tag);
  el.className = className;
  el.textContent = text;
  return el;
}

function fieldset(wrapper: HTMLElement, label: string, required: boolean): HTMLElement {
  const set = element('fieldset', 'group');
  const legend = element('legend', '');
  legend.textContent = label;
  if (required) {
    const marker = textElement('span', 'required', ' *');
    marker.title = 'required';
    legend.append(marker);
  }
  set.append(legend);
  wrapper.append(set);
  return set;
}

function option(value: string, label: string): HTMLElement {
  const o = document.createElement('vscode-option');
  o.value = value;
  o.textContent = label;
  return o;
}

function button(text: string, ariaLabel: string, focusKey: string, disabled: boolean, onClick: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = text;
  b.secondary = true;
  b.disabled = disabled;
  b.dataset.focusKey = focusKey;
  b.setAttribute('aria-label', ariaLabel);
  b.addEventListener('click', onClick);
  return b;
}
