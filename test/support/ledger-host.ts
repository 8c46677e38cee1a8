// A stand-in host for the ledger test: starts one stubborn server with a ledger in the given
// state folder, prints "running", and waits to be killed without a chance to clean up.
import { SessionRegistry } from '../../src/core/registry';
import { FixtureTracker } from './processes';

const [stateDir, pidDir] = process.argv.slice(2);
const registry = new SessionRegistry({ stateDir });
const def = new FixtureTracker().stdio('orphan', ['--ignore-eof', '--ignore-sigterm', '--spawn-child'], { pidDir });
registry.reconcile([def]);
registry.start('orphan').then(
  () => process.stdout.write('running\n'),
  (e) => {
    process.stderr.write(`ledger host: ${e}\n`);
    process.exit(1);
  },
);
setInterval(() => undefined, 1000);
