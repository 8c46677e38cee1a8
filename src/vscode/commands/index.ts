// Every command of the extension, by id. Registered once, at activation (see command.ts).

import { addServer } from './addServer';
import { callTool } from './callTool';
import { clearCallHistory, copyCallArguments, openCallInForm, replayCall, showCallHistory } from './callHistory';
import { clearStoredInputs } from './clearStoredInputs';
import type { CommandFactory } from './command';
import { copyCommandLine } from './copyCommandLine';
import { getPrompt } from './getPrompt';
import { importServers } from './importServers';
import { openConfiguration } from './openConfiguration';
import { openToolForm } from './openToolForm';
import { readResource } from './readResource';
import { refreshTools } from './refreshTools';
import { restartAll } from './restartAll';
import { restartServer } from './restartServer';
import { showExtensionLog, showLogs } from './showLogs';
import { showServers } from './showServers';
import { signIn } from './signIn';
import { signOut } from './signOut';
import { startAll } from './startAll';
import { startServer } from './startServer';
import { stopServer } from './stopServer';
import { disableTool, enableTool, pinTool, unpinTool } from './toolPreferences';

export const commands: Record<string, CommandFactory> = {
  'mcpSessions.callTool': callTool,
  'mcpSessions.openToolForm': openToolForm,
  'mcpSessions.startServer': startServer,
  'mcpSessions.stopServer': stopServer,
  'mcpSessions.restartServer': restartServer,
  'mcpSessions.startAll': startAll,
  'mcpSessions.restartAll': restartAll,
  'mcpSessions.showLogs': showLogs,
  'mcpSessions.showExtensionLog': showExtensionLog,
  'mcpSessions.addServer': addServer,
  'mcpSessions.importServers': importServers,
  'mcpSessions.openConfiguration': openConfiguration,
  'mcpSessions.refreshTools': refreshTools,
  'mcpSessions.clearStoredInputs': clearStoredInputs,
  'mcpSessions.showServers': showServers,
  'mcpSessions.copyCommandLine': copyCommandLine,
  'mcpSessions.readResource': readResource,
  'mcpSessions.getPrompt': getPrompt,
  'mcpSessions.signIn': signIn,
  'mcpSessions.signOut': signOut,
  'mcpSessions.showCallHistory': showCallHistory,
  'mcpSessions.clearCallHistory': clearCallHistory,
  'mcpSessions.replayCall': replayCall,
  'mcpSessions.openCallInForm': openCallInForm,
  'mcpSessions.copyCallArguments': copyCallArguments,
  'mcpSessions.pinTool': pinTool,
  'mcpSessions.unpinTool': unpinTool,
  'mcpSessions.enableTool': enableTool,
  'mcpSessions.disableTool': disableTool,
};
