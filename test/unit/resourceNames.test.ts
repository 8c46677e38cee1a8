// mcp-sessions-resource: paths (resourceNames.ts) and prompt documents (promptDocument.ts): what hostile
// servers and configurations can put in server names, resource URIs and prompt messages.
import * as assert from 'node:assert/strict';
import type { GetPromptResult } from '../../src/core/api';
import { renderPromptMarkdown } from '../../src/vscode/promptDocument';
import { parseResourceDocumentPath, resourceDocumentPath, resourceFileName } from '../../src/vscode/resourceNames';

const hostileUris = [
  '../../../etc/passwd',
  'file:///home/user/.ssh/id_rsa',
  '..',
  '.',
  '',
  '/',
  'a/b/../../c',
  'x%2F..%2F..%2Fy',
  'fixture://counter',
  'fixture://counter/',
  'urn:ü:🙂:\u202e:\u0000',
  'a'.repeat(5000),
];
const hostileServers = ['echo', '..', '', 'a/b', 'ü 🙂', '%2e%2e'];

describe('mcp-sessions-resource: paths', () => {
  it('every (server, URI) pair has its own path, which reads back as that pair and stays in its place', () => {
    const seen = new Map<string, string>();
    for (const server of hostileServers) {
      for (const uri of hostileUris) {
        const path = resourceDocumentPath({ server, uri }, resourceFileName(uri, 'text/plain', false));
        const segments = path.split('/');
        assert.equal(segments.length, 4, path);
        for (const segment of segments.slice(1)) {
          assert.ok(segment !== '' && segment !== '.' && segment !== '..', `segment "${segment}" of ${path}`);
          assert.match(segment, /^[\w.-]+$/, path);
        }
        assert.deepEqual(parseResourceDocumentPath(path), { server, uri });
        const key = JSON.stringify([server, uri]);
        assert.equal(seen.get(path) ?? key, key, `${path} is shared`);
        seen.set(path, key);
      }
    }
  });

  it('the file name is not part of the address, and foreign or altered paths are refused', () => {
    const path = resourceDocumentPath({ server: 'echo', uri: 'fixture://counter' }, 'counter.txt');
    const [, server, uri] = path.split('/');
    assert.deepEqual(parseResourceDocumentPath(`/${server}/${uri}/other.md`), { server: 'echo', uri: 'fixture://counter' });
    assert.equal(parseResourceDocumentPath(`/${server}/${uri}`), undefined);
    assert.equal(parseResourceDocumentPath(`/${server}/${uri}/a/b`), undefined);
    assert.equal(parseResourceDocumentPath(`/../${uri}/x.txt`), undefined);
    assert.equal(parseResourceDocumentPath(`/${server}=/${uri}/x.txt`), undefined, 'padded');
    assert.equal(server, 'sZWNobw');
    assert.equal(parseResourceDocumentPath(`/sZWNobx/${uri}/x.txt`), undefined, 'a second spelling of "echo" (its unused low bits set)');
    assert.equal(parseResourceDocumentPath(`/${server.slice(1)}/${uri}/x.txt`), undefined, 'without the marker letter');
  });

  it('file names carry the extension of the MIME type, for the language and the editor', () => {
    assert.equal(resourceFileName('fixture://counter', 'text/plain', false), 'counter.txt');
    assert.equal(resourceFileName('fixture://pixel.png', 'image/png', true), 'pixel.png');
    assert.equal(resourceFileName('file:///repo/README.md', 'text/markdown', false), 'README.md');
    assert.equal(resourceFileName('https://x.example/api/data?x=1#y', 'application/json; charset=utf-8', false), 'data.json');
    assert.equal(resourceFileName('db://table/rows', undefined, true), 'rows.bin');
    assert.equal(resourceFileName('db://table/rows.csv', undefined, false), 'rows.csv');
    assert.equal(resourceFileName('fixture://', 'text/x-unknown', false), 'resource.txt');
    assert.equal(resourceFileName('x://a/..', 'text/plain', false), '__.txt');
    assert.equal(resourceFileName('x://a/%2e%2e%2fetc', 'image/png', true), '___etc.png');
  });
});

describe('prompt documents', () => {
  const hostile = 'x[click](command:workbench.action.openSettings) <img src=x> **b** ``` # heading\u202e';

  it('shows roles, text in fences it cannot close, and summarizes images and resources', () => {
    const result: GetPromptResult = {
      description: `About ${hostile}`,
      messages: [
        { role: 'user', content: { type: 'text', text: `Say ${hostile}\n\`\`\`\`\nafter the fence` } },
        { role: 'assistant', content: { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' } },
        { role: 'assistant', content: { type: 'resource', resource: { uri: `fixture://${hostile}`, mimeType: 'text/plain', text: 'count 3' } } },
      ],
    };
    const markdown = renderPromptMarkdown('srv', `greet ${hostile}`, { name: hostile }, result);
    assert.match(markdown, /^# Prompt greet /);
    assert.match(markdown, /^## 1\. user$/m);
    assert.match(markdown, /^## 2\. assistant$/m);
    assert.match(markdown, /\*Image \(image\/png, 8 bytes\)\*/);
    assert.match(markdown, /\*Resource:\* fixture\\:\/\/x/);
    // Outside fences, nothing the server wrote can act as Markdown.
    const outsideFences = markdown.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
    assert.doesNotMatch(outsideFences, /(^|[^\\])(\]\(|<img|\*\*b)|\u202e/);
    // The fence around the message is longer than any backtick run inside it.
    assert.match(markdown, /^`{5}text\nSay x/m);
    assert.match(markdown, /after the fence\n`{5}$/m);
  });
});
