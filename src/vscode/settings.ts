// The extension's settings, read in one place. Settings the core reads when a server
// connects only apply after a restart; changing one is answered with "Restart now"
// (restartRequiringSettings), the way rust-analyzer does it.

import * as vscode from 'vscode';
import type { RegistryOptions } from '../core/api';

export const settingsSection = 'mcpSessions';

export type AutoStart = 'never' | 'always';

export interface Settings {
  autoStart: AutoStart;
  traceServer: 'off' | 'messages';
  connectTimeoutMs: number;
  stdinGraceMs: number;
  termGraceMs: number;
  maxMessageBytes: number;
}

/** Settings that only take effect when a server (re)starts. */
export const restartRequiringSettings = [
  'mcpSessions.trace.server',
  'mcpSessions.connectTimeoutMs',
  'mcpSessions.shutdown.stdinGraceMs',
  'mcpSessions.shutdown.termGraceMs',
  'mcpSessions.maxMessageSize',
] as const;

/** Settings that decide which servers exist: changing one reloads the configuration. */
export const serverListSettings = ['mcpSessions.servers', 'mcpSessions.configFiles'] as const;

function positive(value: unknown, fallback: number, minimum = 0): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= minimum ? value : fallback;
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration(settingsSection);
  return {
    autoStart: config.get<string>('autoStart') === 'always' ? 'always' : 'never',
    traceServer: config.get<string>('trace.server') === 'messages' ? 'messages' : 'off',
    connectTimeoutMs: positive(config.get('connectTimeoutMs'), 30_000, 1000),
    stdinGraceMs: positive(config.get('shutdown.stdinGraceMs'), 2000),
    termGraceMs: positive(config.get('shutdown.termGraceMs'), 2000),
    maxMessageBytes: Math.min(positive(config.get('maxMessageSize'), 32, 1), 1024) * 1024 * 1024,
  };
}

/** The registry options that come from settings. */
export function registryOptionsFrom(settings: Settings): Pick<RegistryOptions, 'traceProtocol' | 'connectTimeoutMs' | 'stdinGraceMs' | 'termGraceMs' | 'maxMessageBytes'> {
  return {
    traceProtocol: settings.traceServer === 'messages',
    connectTimeoutMs: settings.connectTimeoutMs,
    stdinGraceMs: settings.stdinGraceMs,
    termGraceMs: settings.termGraceMs,
    maxMessageBytes: settings.maxMessageBytes,
  };
}

export function affectsAny(event: vscode.ConfigurationChangeEvent, keys: readonly string[]): boolean {
  return keys.some((key) => event.affectsConfiguration(key));
}
