// Entry point the VS Code extension host loads as `extensionTestsPath`: it awaits run(), and a
// rejection makes the test run exit with code 1. Runs every compiled `*.test.js` under this folder.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

function testFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return testFilesUnder(path);
      return entry.name.endsWith('.test.js') ? [path] : [];
    })
    .sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: 60_000,
    // MOCHA_GREP reaches the extension host through the code-server process environment.
    grep: process.env.MOCHA_GREP || undefined,
  });
  const files = testFilesUnder(__dirname);
  if (files.length === 0) {
    return Promise.reject(new Error(`no *.test.js files under ${__dirname}; did \`npm run build\` compile test/integration?`));
  }
  for (const file of files) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
    } catch (error) {
      reject(error);
    }
  });
}
