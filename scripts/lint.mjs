// The core owns processes and connections and must run in plain Node:
// nothing under src/core or src/cli may import `vscode`, directly or through src/vscode.
// Notifications and progress texts go through src/vscode/messages.ts, which escapes them, and no
// MarkdownString is trusted (it would run command links from the text in it) or renders theme icons.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const forbidden = [
  { dir: 'src/core', patterns: [/from\s+['"]vscode['"]/, /require\(\s*['"]vscode['"]\s*\)/, /from\s+['"]\.\.\/vscode\//, /from\s+['"]\.\.\/extension['"]/] },
  { dir: 'src/cli', patterns: [/from\s+['"]vscode['"]/, /require\(\s*['"]vscode['"]\s*\)/, /from\s+['"]\.\.\/vscode\//, /from\s+['"]\.\.\/extension['"]/] },
  {
    dir: 'src/vscode',
    except: ['src/vscode/messages.ts'],
    message: 'notifications and progress go through src/vscode/messages.ts; no MarkdownString is trusted',
    patterns: [/\.show(Information|Warning|Error)Message\(/, /\.withProgress\(/, /isTrusted\s*[=:]\s*(true|\{)/],
  },
  {
    dir: 'src/vscode',
    except: ['src/vscode/toolExplorer.ts'],
    message: 'MarkdownStrings are made by untrustedMarkdown() in toolExplorer.ts (untrusted, no theme icons)',
    patterns: [/MarkdownString\(/, /supportThemeIcons\s*=\s*true/],
  },
];

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

let failures = 0;
for (const rule of forbidden) {
  let files = [];
  try { files = walk(join(root, rule.dir)); } catch { continue; }
  for (const file of files) {
    if (rule.except?.includes(relative(root, file))) continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const re of rule.patterns) {
        if (re.test(line)) {
          console.error(`${relative(root, file)}:${i + 1}: ${rule.message ?? `${rule.dir} must not import vscode or extension code`}: ${line.trim()}`);
          failures++;
        }
      }
    });
  }
}
if (failures) {
  console.error(`lint: ${failures} problem(s)`);
  process.exit(1);
}
console.log('lint: core and CLI are free of vscode imports; notifications go through messages.ts');
