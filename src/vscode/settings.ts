// The extension's settings, read in one place. Settings the core reads when a server
// connects only apply after a restart; changing one is answered with "Restart now"
// (restartRequiringSettings), the way rust-analyzer does it.
//
// Settings that start or shape processes are restricted (restrictedSettings, and
// `capabilities.untrustedWorkspaces.restrictedConfigurations` in package.json): until the
// workspace is trusted only their user value counts. VS Code already hides restricted workspace
// values from get() in an untrusted workspace; trustedValue() does not rely on the manifest.

import * as vscode from 'vscode';
import type { RegistryOptions } from '../core/api';
import { maxTimeoutMs } from '../core/definitions';

export const settingsSection = 'mcpSessions';

/** `restore` (the default): start again the servers that were running when the window closed (runningServers.ts). */
export type AutoStart = 'never' | 'always' | 'restore';

export interface Settings {
  autoStart: AutoStart;
  traceServer: 'off' | 'messages';
  connectTimeoutMs: number;
  stdinGraceMs: number;
  termGraceMs: number;
  maxMessageBytes: number;
  /** A request fails after this long without an answer or progress, unless its server's `requestTimeoutMs` says otherwise. */
  requestTimeoutMs: number;
  /** A request fails after this long in all; undefined: 10 × its request timeout. */
  maxTotalTimeoutMs: number | undefined;
}

/** Settings that only take effect when a server (re)starts. */
export const restartRequiringSettings = [
  'mcpSessions.trace.server',
  'mcpSessions.connectTimeoutMs',
  'mcpSessions.shutdown.stdinGraceMs',
  'mcpSessions.shutdown.termGraceMs',
  'mcpSessions.maxMessageSize',
] as const;

/** Settings every call reads when it is sent: a change applies to the next call, without a restart. */
export const callTimeoutSettings = ['mcpSessions.requestTimeoutMs', 'mcpSessions.maxTotalTimeoutMs'] as const;

/** Bounds of the timeout settings (the same as the mcp.json fields, definitions.ts). */
const minimumTimeoutMs = 100;

/** Settings whose workspace value counts only once the workspace is trusted: package.json lists the same (the trust suite checks). */
export const restrictedSettings = [
  'mcpSessions.autoStart',
  'mcpSessions.servers',
  'mcpSessions.configFiles',
  'mcpSessions.trace.server',
  'mcpSessions.connectTimeoutMs',
  'mcpSessions.shutdown.stdinGraceMs',
  'mcpSessions.shutdown.termGraceMs',
  'mcpSessions.oauth.redirect',
  'mcpSessions.maxMessageSize',
  'mcpSessions.requestTimeoutMs',
  'mcpSessions.maxTotalTimeoutMs',
] as const;

/** Settings that decide which servers exist: changing one reloads the configuration. */
export const serverListSettings = ['mcpSessions.servers', 'mcpSessions.configFiles'] as const;

function autoStartFrom(value: unknown): AutoStart {
  return value === 'always' || value === 'never' ? value : 'restore';
}

/** A timeout setting: a number within bounds, else `fallback` (package.json states the same bounds). */
function timeoutSetting(value: unknown, fallback: number): number;
function timeoutSetting(value: unknown, fallback: undefined): number | undefined;
function timeoutSetting(value: unknown, fallback: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= minimumTimeoutMs && value <= maxTimeoutMs ? Math.round(value) : fallback;
}

function positive(value: unknown, fallback: number, minimum = 0): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= minimum ? value : fallback;
}

/** A restricted setting's value: the effective one in a trusted workspace, else the user's (or the default). */
function trustedValue(config: vscode.WorkspaceConfiguration, key: string): unknown {
  if (vscode.workspace.isTrusted) return config.get(key);
  const inspected = config.inspect(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration(settingsSection);
  const value = (key: string) => trustedValue(config, key);
  return {
    autoStart: autoStartFrom(value('autoStart')),
    traceServer: value('trace.server') === 'messages' ? 'messages' : 'off',
    connectTimeoutMs: positive(value('connectTimeoutMs'), 30_000, 1000),
    stdinGraceMs: positive(value('shutdown.stdinGraceMs'), 2000),
    termGraceMs: positive(value('shutdown.termGraceMs'), 2000),
    maxMessageBytes: Math.min(positive(value('maxMessageSize'), 32, 1), 1024) * 1024 * 1024,
    requestTimeoutMs: timeoutSetting(value('requestTimeoutMs'), 60_000),
    // 0 (the default) means 10 × the request timeout.
    maxTotalTimeoutMs: timeoutSetting(value('maxTotalTimeoutMs'), undefined),
  };
}

/** The registry options that come from settings. */
export function registryOptionsFrom(
  settings: Settings,
): Pick<RegistryOptions, 'traceProtocol' | 'connectTimeoutMs' | 'stdinGraceMs' | 'termGraceMs' | 'maxMessageBytes' | 'defaultCallTimeoutMs' | 'defaultMaxTotalTimeoutMs'> {
  return {
    defaultCallTimeoutMs: settings.requestTimeoutMs,
    defaultMaxTotalTimeoutMs: settings.maxTotalTimeoutMs,
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
