// The SecretStorage the OAuth service gets: every OAuth record it reads or stores has its
// tokens and client secret registered with the SecretRedactor, so a token a server echoes
// back (in stderr, an error, a tool result) is redacted like any other secret.

import type * as vscode from 'vscode';
import type { OAuthRecord } from '../core/oauthStore';
import type { SecretRedactor } from '../core/redact';

export function redactingSecretStorage(secrets: vscode.SecretStorage, redactor: SecretRedactor): vscode.SecretStorage {
  const register = (text: string | undefined) => {
    if (text === undefined) return;
    try {
      const record = JSON.parse(text) as unknown;
      if (record && typeof record === 'object') redactor.addOAuthRecord(record as OAuthRecord);
    } catch {
      // Not a record: nothing of ours to register.
    }
  };
  return {
    get: async (key) => {
      const text = await secrets.get(key);
      register(text);
      return text;
    },
    store: (key, value) => {
      register(value);
      return secrets.store(key, value);
    },
    delete: (key) => secrets.delete(key),
    onDidChange: secrets.onDidChange,
  };
}
