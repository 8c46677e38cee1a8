// The call form's page: a tool's inputSchema as a form (shared/schemaForm), a Call button that
// sends nothing while the form has errors, the call's progress, a Cancel button and the outcome.
// The extension checks the arguments again before it calls (it never trusts this page).
// State (the arguments being edited) is kept with setState, so it survives the panel being hidden.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { CallFormHostMessage, CallFormPageMessage } from './shared/callFormMessages';
import { webviewApi } from './shared/vscodeApi';
import { createSchemaForm, type SchemaForm } from './shared/schemaForm/index';

interface SavedState {
  server: string;
  tool: string;
  argumentsVersion: number;
  value: unknown;
}

const vscode = webviewApi<CallFormPageMessage, SavedState>();
const root = document.getElementById('root')!;
let form: SchemaForm | undefined;
let running = false;

const page = document.createElement('main');
const heading = document.createElement('h2');
const description = document.createElement('p');
description.className = 'tool-description';
const formContainer = document.createElement('div');
const actions = document.createElement('div');
actions.className = 'actions';
const callButton = document.createElement('vscode-button');
callButton.textContent = 'Call';
callButton.title = 'Call the tool (Ctrl+Enter)';
const cancelButton = document.createElement('vscode-button');
cancelButton.textContent = 'Cancel';
cancelButton.secondary = true;
cancelButton.hidden = true;
const ring = document.createElement('vscode-progress-ring');
ring.hidden = true;
const status = document.createElement('div');
status.className = 'status';
status.setAttribute('role', 'status');
status.setAttribute('aria-live', 'polite');
actions.append(callButton, cancelButton, ring);
page.append(heading, description, formContainer, actions, status);
const style = document.createElement('style');
style.textContent = `
body { color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
main { max-width: 60em; padding: 0 8px 24px; }
h2 { font-weight: 600; margin: 12px 0 4px; }
.tool-description { color: var(--vscode-descriptionForeground); white-space: pre-wrap; margin: 0 0 8px; }
.actions { display: flex; gap: 8px; align-items: center; margin: 12px 0; }
.status { white-space: pre-wrap; }
.status.error { color: var(--vscode-errorForeground); }
.status .summary { display: block; margin-top: 6px; padding: 6px 8px; background: var(--vscode-textCodeBlock-background); font-family: var(--vscode-editor-font-family); }
`;
document.head.append(style);
root.append(page);

function post(message: CallFormPageMessage): void {
  vscode.postMessage(message);
}

function setRunning(value: boolean): void {
  running = value;
  callButton.disabled = value;
  cancelButton.hidden = !value;
  ring.hidden = !value;
}

function showStatus(text: string, kind: 'info' | 'error' = 'info', summary?: string): void {
  status.className = kind === 'error' ? 'status error' : 'status';
  status.textContent = text;
  if (summary) {
    const block = document.createElement('span');
    block.className = 'summary';
    block.textContent = summary;
    status.append(block);
  }
}

function submit(): void {
  if (!form || running) return;
  const errors = form.validate();
  if (errors.length > 0) {
    const fields = [...new Set(errors.map((e) => e.pointer.slice(1).replace(/\//g, '.') || 'the arguments'))];
    form.focusFirstError();
    showStatus(`Not called: ${fields.length === 1 ? 'one field needs' : `${fields.length} fields need`} attention (${fields.slice(0, 5).join(', ')}${fields.length > 5 ? ', …' : ''}).`, 'error');
    return;
  }
  setRunning(true);
  showStatus('Calling…');
  post({ type: 'submit', arguments: form.value() ?? {} });
}

callButton.addEventListener('click', submit);
cancelButton.addEventListener('click', () => post({ type: 'cancel' }));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submit();
  }
});

window.addEventListener('message', (event: MessageEvent<CallFormHostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'init': {
      heading.textContent = `${message.title ?? message.tool} — ${message.server}`;
      description.textContent = message.description ?? '';
      const saved = vscode.getState();
      const restore = saved && saved.server === message.server && saved.tool === message.tool && saved.argumentsVersion === message.argumentsVersion;
      form?.dispose();
      form = createSchemaForm(formContainer, message.schema, {
        value: restore ? saved.value : message.arguments,
        onChange: (value) => vscode.setState({ server: message.server, tool: message.tool, argumentsVersion: message.argumentsVersion, value }),
      });
      vscode.setState({ server: message.server, tool: message.tool, argumentsVersion: message.argumentsVersion, value: form.value() });
      break;
    }
    case 'running':
      setRunning(true);
      showStatus('Calling…');
      break;
    case 'progress':
      showStatus(`Calling… ${message.text}`);
      break;
    case 'invalid':
      setRunning(false);
      form?.showErrors(message.errors);
      form?.focusFirstError();
      showStatus('Not called: the extension found errors in the arguments.', 'error');
      break;
    case 'done':
      setRunning(false);
      showStatus(`${message.isError ? 'The tool reported an error' : 'Done'} in ${message.durationMs} ms. The result is open in an editor.`, message.isError ? 'error' : 'info', message.summary);
      break;
    case 'failed':
      setRunning(false);
      showStatus(message.message, 'error');
      break;
    case 'cancelled':
      setRunning(false);
      showStatus('Cancelled.');
      break;
  }
});

post({ type: 'ready' });
