// Asks for a tool's arguments. A flat schema (string, number, integer, boolean and enum
// properties) gets one input box or quick pick per property, validated as typed; anything
// else gets a JSON object, typed in an input box or edited in an untitled JSON editor.

import * as vscode from 'vscode';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import type { Tool } from '../core/api';
import { iconLabelText, labelText } from '../core/displayText';
import { showMessage } from './messages';

export interface PropertySchema {
  type?: string | string[];
  enum?: unknown[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  properties?: Record<string, PropertySchema>;
  items?: PropertySchema;
  required?: string[];
}

type FlatKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum';

const omit = '(leave out)';

/** The kind of input a property gets, or undefined when it is not a simple value. */
export function flatKind(schema: PropertySchema): FlatKind | undefined {
  if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) return 'enum';
  const type = Array.isArray(schema.type) ? schema.type.filter((t) => t !== 'null') : [schema.type];
  if (type.length !== 1) return undefined;
  return type[0] === 'string' || type[0] === 'number' || type[0] === 'integer' || type[0] === 'boolean' ? type[0] : undefined;
}

export function isFlatSchema(schema: Tool['inputSchema']): boolean {
  const properties = (schema.properties ?? {}) as Record<string, PropertySchema>;
  return Object.values(properties).every((p) => flatKind(p) !== undefined);
}

/** Checks one typed value against its property schema; returns the parsed value or an error message. */
export function parseFlatValue(text: string, schema: PropertySchema, required: boolean): { value?: unknown; error?: string; omitted?: boolean } {
  const kind = flatKind(schema);
  if (text === '') return required ? { error: 'A value is required' } : { omitted: true };
  switch (kind) {
    case 'number':
    case 'integer': {
      const value = Number(text.trim());
      if (!Number.isFinite(value)) return { error: 'Enter a number' };
      if (kind === 'integer' && !Number.isInteger(value)) return { error: 'Enter a whole number' };
      if (schema.minimum !== undefined && value < schema.minimum) return { error: `Must be at least ${schema.minimum}` };
      if (schema.maximum !== undefined && value > schema.maximum) return { error: `Must be at most ${schema.maximum}` };
      return { value };
    }
    case 'string': {
      if (schema.minLength !== undefined && text.length < schema.minLength) return { error: `Must be at least ${schema.minLength} characters` };
      if (schema.maxLength !== undefined && text.length > schema.maxLength) return { error: `Must be at most ${schema.maxLength} characters` };
      if (schema.pattern) {
        try {
          if (!new RegExp(schema.pattern, 'u').test(text)) return { error: `Must match ${schema.pattern}` };
        } catch {
          // A pattern JavaScript cannot compile is the server's to check.
        }
      }
      return { value: text };
    }
    default:
      return { value: text };
  }
}

/** Asks for the arguments, starting from `initial` (a pinned tool's saved ones) if given; undefined when the user cancelled. */
export async function askForArguments(server: string, tool: Tool, initial?: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  const schema = tool.inputSchema;
  const properties = Object.entries((schema.properties ?? {}) as Record<string, PropertySchema>);
  if (properties.length === 0) return {};
  const start = (name: string, property: PropertySchema): PropertySchema => (initial && Object.hasOwn(initial, name) ? { ...property, default: initial[name] } : property);
  return isFlatSchema(schema)
    ? askFlat(
        server,
        tool,
        properties.map(([name, property]) => [name, start(name, property)]),
        new Set(schema.required ?? []),
      )
    : askJson(server, tool, initial);
}

async function askFlat(server: string, tool: Tool, properties: [string, PropertySchema][], required: Set<string>): Promise<Record<string, unknown> | undefined> {
  const args: Record<string, unknown> = {};
  for (const [index, [name, property]] of properties.entries()) {
    const isRequired = required.has(name);
    // Names and descriptions come from the server; these surfaces render links and icons.
    const title = iconLabelText(`Call "${tool.name}" on "${server}": ${name} (${index + 1}/${properties.length})`);
    const kind = flatKind(property)!;
    const detail = iconLabelText([property.description, isRequired ? 'required' : 'optional'].filter(Boolean).join(' — '));
    if (kind === 'enum' || kind === 'boolean') {
      const values = kind === 'boolean' ? [true, false] : property.enum!;
      const items: (vscode.QuickPickItem & { value?: unknown })[] = values.map((value) => ({
        label: iconLabelText(String(value)),
        description: value === property.default ? 'default' : undefined,
        value,
      }));
      if (!isRequired) items.push({ label: omit, description: 'the server uses its default' });
      const picked = await vscode.window.showQuickPick(items, { title, placeHolder: detail, ignoreFocusOut: true });
      if (!picked) return undefined;
      if (picked.label !== omit) args[name] = picked.value;
      continue;
    }
    const text = await vscode.window.showInputBox({
      title,
      prompt: `${detail} (${kind})`,
      value: property.default === undefined ? undefined : labelText(typeof property.default === 'string' ? property.default : JSON.stringify(property.default)),
      ignoreFocusOut: true,
      validateInput: (value) => parseFlatValue(value, property, isRequired).error,
    });
    if (text === undefined) return undefined;
    const parsed = parseFlatValue(text, property, isRequired);
    if (!parsed.omitted) args[name] = parsed.value;
  }
  return args;
}

/** A JSON object with every property: defaults where given, else an empty value of the right type. */
export function argumentSkeleton(schema: PropertySchema, depth = 0): unknown {
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return '';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
    case undefined: {
      if (depth > 4 || !schema.properties) return {};
      return Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, argumentSkeleton(v, depth + 1)]));
    }
    default:
      return null;
  }
}

function parseArguments(text: string, schema: Tool['inputSchema']): { value?: Record<string, unknown>; error?: string } {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length > 0) return { error: 'Not valid JSON' };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'The arguments must be a JSON object' };
  const missing = (schema.required ?? []).filter((key) => !(key in value));
  if (missing.length > 0) return { error: `Missing required ${missing.map((m) => `"${m}"`).join(', ')}` };
  return { value: value as Record<string, unknown> };
}

async function askJson(server: string, tool: Tool, initial?: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  const start = initial ?? argumentSkeleton(tool.inputSchema as PropertySchema);
  const skeleton = JSON.stringify(start);
  const how = await vscode.window.showQuickPick(
    [
      { label: 'Edit the arguments in a JSON editor', id: 'editor' },
      { label: 'Type the arguments as JSON', id: 'inline' },
    ],
    { title: iconLabelText(`Call "${tool.name}" on "${server}": its arguments are structured`), ignoreFocusOut: true },
  );
  if (!how) return undefined;
  if (how.id === 'inline') {
    const text = await vscode.window.showInputBox({
      title: iconLabelText(`Call "${tool.name}" on "${server}": arguments`),
      prompt: 'A JSON object (the tooltip of the tool in the Tool Explorer shows its schema)',
      value: skeleton,
      ignoreFocusOut: true,
      validateInput: (value) => parseArguments(value, tool.inputSchema).error,
    });
    return text === undefined ? undefined : parseArguments(text, tool.inputSchema).value;
  }

  const header = `// Arguments for "${tool.name}" on "${server}". Edit them, then choose "Call" in the notification.\n// Input schema:\n${JSON.stringify(tool.inputSchema, null, 2)
    .split('\n')
    .map((l) => `//   ${l}`)
    .join('\n')}\n`;
  const document = await vscode.workspace.openTextDocument({ language: 'jsonc', content: header + JSON.stringify(start, null, 2) + '\n' });
  await vscode.window.showTextDocument(document, { preview: false });
  for (;;) {
    const choice = await showMessage('information', `Edit the arguments of "${tool.name}" in the editor, then choose Call.`, 'Call', 'Cancel');
    if (choice !== 'Call') return undefined;
    const parsed = parseArguments(document.getText(), tool.inputSchema);
    if (parsed.value) return parsed.value;
    void showMessage('error', `The arguments of "${tool.name}" are not usable: ${parsed.error}. Fix them in the editor, then choose Call again.`);
  }
}
