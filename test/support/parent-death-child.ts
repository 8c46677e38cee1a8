// The child of the parent-death test: watches its parent with onParentDeath and reports on
// stdout (a pipe the test holds) when it is gone, then exits.
import { onParentDeath } from '../../src/core/parentDeath';

onParentDeath((how) => {
  process.stdout.write(`parent gone: ${how}\n`, () => process.exit(0));
});
process.stdout.write('watching\n');
setTimeout(() => process.exit(3), 30_000);
