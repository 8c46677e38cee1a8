import * as assert from 'node:assert/strict';
import { iconLabelText, labelText, markdownCodeBlock, markdownText, notificationText, terminalText } from '../../src/core/displayText';

// VS Code's linkedText pattern (src/vs/base/common/linkedText.ts): what notifications turn into links.
const vscodeLink = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

describe('display text', () => {
  const hostile = 'evil[click me](command:workbench.action.openSettings) and [x](https://e.example/a)';

  it('leaves no link VS Code would render in a notification', () => {
    const shown = notificationText(hostile);
    assert.equal(shown.match(vscodeLink), null);
    assert.ok(shown.includes('click me') && shown.includes('command:workbench.action.openSettings'), 'the text itself stays readable');
    assert.equal(notificationText(shown), shown, 'idempotent');
  });

  it('strips bidi, zero-width and control characters, keeps the words', () => {
    assert.equal(labelText('a\u202eb\u200bc\u0007d\u001b[31me\r\nf'), 'abcd[31me f');
  });

  it('escapes icon syntax where it is rendered', () => {
    assert.equal(iconLabelText('$(error) fake'), '\\$(error) fake');
    assert.equal(iconLabelText(hostile).match(vscodeLink), null);
  });

  it('escapes Markdown so it renders as itself', () => {
    assert.equal(markdownText('[a](command:x) **b** <img src=x>'), '\\[a\\]\\(command\\:x\\) \\*\\*b\\*\\* \\<img src=x\\>');
  });

  it('keeps a code block closed whatever the code holds', () => {
    const code = 'npx a\n```\n[click](https://e.example) $(alert)\n````';
    const block = markdownCodeBlock(code, 'shellscript');
    const fence = '`````';
    assert.ok(block.startsWith(`${fence}shellscript\n`) && block.endsWith(`\n${fence}\n`), block);
    assert.equal(block.slice(fence.length + 'shellscript\n'.length, -fence.length - 2), code, 'the code itself is unchanged');
    assert.equal(markdownCodeBlock('a\u202eb'), '```\nab\n```\n');
  });

  it('shows terminal control characters as escapes', () => {
    assert.equal(terminalText('a\u001b[2Jb\u202ec\nd'), 'a\\u{1b}[2Jb\\u{202e}c\\u{a}d');
    assert.equal(terminalText('x\ny\tz', true), 'x\ny\tz');
  });

  it('cuts long text', () => {
    assert.equal(labelText('x'.repeat(5000)).length, 2000);
  });
});
