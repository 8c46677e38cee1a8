// Commands talk to one facade: ServerService (src/vscode/servers.ts). A command that reaches
// past it to the registry means the facade is missing a verb; add the verb there instead.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/paths';

const commandsDir = join(repoRoot, 'src', 'vscode', 'commands');

describe('layers', () => {
  it('no command file reaches the registry', () => {
    const files = readdirSync(commandsDir).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length >= 10, `expected the command files in ${commandsDir}, found ${files.length}`);
    const offenders = files.flatMap((file) =>
      readFileSync(join(commandsDir, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (/registry/i.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    assert.deepEqual(offenders, [], 'commands reach servers through ctx.servers (ServerService) only');
  });
});
