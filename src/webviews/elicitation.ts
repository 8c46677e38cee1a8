// The elicitation page: who asks (the server, named at the top), its message, a form of its
// requestedSchema (shared/schemaForm, starting with the schema's defaults) and Accept / Decline /
// Cancel. Escape cancels; Ctrl+Enter accepts. Accept sends nothing while the form has errors, and
// the extension checks the answer again (it never trusts this page). The edits are kept with
// setState, so they survive the panel being hidden.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { ElicitationHostMessage, ElicitationPageMessage } from './shared/elicitationMessages';
import { webviewApi } from './shared/vscodeApi';
import { createSchemaForm, type SchemaForm } from './shared/schemaForm/index';

interface SavedState {
  request: number;
  value: unknown;
}

const vscode = webviewApi<ElicitationPageMessage, SavedState>();
const root = document.getElementById('root')!;
let form: SchemaForm | undefined;

const page = document.createElement('main');
const heading = document.createElement('h2');
const message = document.createElement('p');
message.className = 'message';
const formContainer = document.createElement('div');
const actions = document.createElement('div');
actions.className = 'actions';
const acceptButton = document.createElement('vscode-button');
acceptButton.textContent = 'Accept';
acceptButton.title = 'Send these values to the server (Ctrl+Enter)';
const declineButton = document.createElement('vscode-button');
declineButton.textContent = 'Decline';
declineButton.secondary = true;
declineButton.title = 'Tell the server you decline';
const cancelButton = document.createElement('vscode-button');
cancelButton.textContent = 'Cancel';
cancelButton.secondary = true;
cancelButton.title = 'Dismiss without answering (Escape)';
const status = document.createElement('div');
status.className = 'status';
status.setAttribute('role', 'status');
status.setAttribute('aria-live', 'polite');
actions.append(acceptButton, declineButton, cancelButton);
page.append(heading, message, formContainer, actions, status);
const style = document.createElement('style');
style.textContent = `
body { color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
main { max-width: 60em; padding: 0 8px 24px; }
h2 { font-weight: 600; margin: 12px 0 4px; }
.message { white-space: pre-wrap; margin: 0 0 8px; }
.actions { display: flex; gap: 8px; align-items: center; margin: 12px 0; }
.status { white-space: pre-wrap; color: var(--vscode-errorForeground); }
`;
document.head.append(style);
root.append(page);

function post(reply: ElicitationPageMessage): void {
  vscode.postMessage(reply);
}

function accept(): void {
  if (!form) return;
  const errors = form.validate();
  if (errors.length > 0) {
    status.textContent = `Not sent: ${errors.length === 1 ? 'one field needs' : `${errors.length} fields need`} attention.`;
    return;
  }
  status.textContent = '';
  post({ type: 'accept', content: form.value() ?? {} });
}

acceptButton.addEventListener('click', accept);
declineButton.addEventListener('click', () => post({ type: 'decline' }));
cancelButton.addEventListener('click', () => post({ type: 'cancel' }));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    event.preventDefault();
    post({ type: 'cancel' });
  } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    accept();
  }
});

window.addEventListener('message', (event: MessageEvent<ElicitationHostMessage>) => {
  const data = event.data;
  switch (data.type) {
    case 'init': {
      heading.textContent = `MCP server "${data.server}" asks for input`;
      message.textContent = data.message;
      const saved = vscode.getState();
      form?.dispose();
      form = createSchemaForm(formContainer, data.schema, {
        value: saved?.request === data.request ? saved.value : undefined,
        onChange: (value) => vscode.setState({ request: data.request, value }),
      });
      vscode.setState({ request: data.request, value: form.value() });
      break;
    }
    case 'invalid':
      form?.showErrors(data.errors);
      status.textContent = 'Not sent: the extension found errors in the values.';
      break;
  }
});

post({ type: 'ready' });
