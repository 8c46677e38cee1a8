// The one rule for server names that collide across configuration sources, for the extension
// and the CLI alike (docs/configuration.md, "Servers with the same name"):
//
//   Sources claim names in precedence order: the extension hands it the user's own sources
//   first, then the workspace's; the CLI its --config files in the order given. The first
//   server with a name keeps it. A later one is renamed `name (suffix)`, the suffix naming its
//   source (a workspace folder, `user`, a file name); if that is taken too, `name (suffix 2)`,
//   `name (suffix 3)`, … So a name in use never moves to another source's server, and a
//   repository cannot take over a name the user relies on.
//
// Two servers of one name inside one file are no collision between sources: that is an error in
// the file (core/config.ts), and the second is not read.

/** The source a server comes from, as the rename names it. */
export interface NameSource {
  /** Says where the name's owner is defined: "user settings (mcpSessions.servers)", a path. */
  label: string;
  /** Goes in the parentheses of a renamed server: a folder name, "user", a file name. */
  suffix: string;
}

export interface ClaimedName {
  /** The name the server goes by: the one it was configured with, unless that was taken. */
  name: string;
  /** Why it was renamed, for the log and the tooltip; absent when it kept its name. */
  renamed?: string;
}

/** The names given so far in one load of the configuration. */
export class ServerNames {
  private readonly owners = new Map<string, NameSource>();

  /** Gives a server configured as `configured` in `source` its name; call in precedence order. */
  claim(configured: string, source: NameSource): ClaimedName {
    const owner = this.owners.get(configured);
    if (!owner) {
      this.owners.set(configured, source);
      return { name: configured };
    }
    let name = `${configured} (${source.suffix})`;
    for (let i = 2; this.owners.has(name); i++) name = `${configured} (${source.suffix} ${i})`;
    this.owners.set(name, source);
    return { name, renamed: `"${configured}" is also defined in ${owner.label}, so this one is called "${name}"` };
  }
}
