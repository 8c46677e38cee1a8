// The last valid version of a configuration source, so that an edit in progress never stops a
// server. A file that does not parse keeps its last valid servers and inputs; a server whose
// entry is invalid keeps its last valid definition, and one that never had one is shown as
// invalid with its reason. Whatever was used is what is remembered, so fixing the file is
// compared against what runs, and unchanged servers keep their processes. The last valid
// version lives as long as the extension host: it is not stored. See docs/configuration.md.

import type { ConfigIssue, InputDefinition, InvalidServerEntry, ParsedConfig, RawServerDefinition } from './config';

/** What a source configured the last time it could be read; servers keep their names as written. */
export interface ValidConfig {
  servers: RawServerDefinition[];
  inputs: InputDefinition[];
}

export type EffectiveServer =
  /** As the source says now. */
  | { state: 'current'; raw: RawServerDefinition }
  /** Its last valid definition, because of `problem` (the file's, or the entry's own). */
  | { state: 'last-valid'; raw: RawServerDefinition; problem: ConfigIssue }
  /** An invalid entry that never had a valid definition. */
  | { state: 'invalid'; entry: InvalidServerEntry };

export interface EffectiveConfig {
  /** In the file's order. */
  servers: EffectiveServer[];
  inputs: InputDefinition[];
  /** What to remember as the source's last valid version; undefined when there is none yet. */
  lastValid: ValidConfig | undefined;
}

/** What a source configures now, given what it parsed to and its last valid version. Pure. */
export function withLastValid(parsed: ParsedConfig, previous: ValidConfig | undefined): EffectiveConfig {
  const unreadable = parsed.unreadable;
  if (unreadable) {
    if (!previous) return { servers: [], inputs: [], lastValid: undefined };
    return { servers: previous.servers.map((raw) => ({ state: 'last-valid', raw, problem: unreadable })), inputs: previous.inputs, lastValid: previous };
  }
  const servers: EffectiveServer[] = [];
  const remembered: RawServerDefinition[] = [];
  const invalid = (entry: InvalidServerEntry) => {
    const before = previous?.servers.find((s) => s.name === entry.name);
    if (!before) {
      servers.push({ state: 'invalid', entry });
      return;
    }
    servers.push({ state: 'last-valid', raw: before, problem: entry.issue });
    remembered.push(before);
  };
  let next = 0;
  parsed.servers.forEach((raw, index) => {
    for (; next < parsed.invalidServers.length && parsed.invalidServers[next].precedingServers <= index; next++) invalid(parsed.invalidServers[next]);
    servers.push({ state: 'current', raw });
    remembered.push(raw);
  });
  for (; next < parsed.invalidServers.length; next++) invalid(parsed.invalidServers[next]);
  return { servers, inputs: parsed.inputs, lastValid: { servers: remembered, inputs: parsed.inputs } };
}
