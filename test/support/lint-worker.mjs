// Lints snippets for test/unit/lint.test.ts in a child process: the type-aware rules build the
// project's whole TypeScript program (hundreds of MiB), which must not stay in the mocha
// process where the memory-bound tests measure RSS.
//   message in:  { id, file, code }   message out: { id, messages } or { id, error }
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.argv[2] });
process.on('message', async ({ id, file, code }) => {
  try {
    const [result] = await eslint.lintText(code, { filePath: file });
    process.send({ id, messages: result.messages.map(({ line, column, ruleId, message }) => ({ line, column, ruleId, message })) });
  } catch (e) {
    process.send({ id, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
});
process.on('disconnect', () => process.exit(0));
