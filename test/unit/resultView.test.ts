// The results view's rules, in plain Node: how content is classified, the Markdown rule, the
// link allow-list, the size bounds, the outputSchema check, and what the Markdown renderer
// lets through (src/webviews/shared/markdown.ts is the one place that makes HTML).
import * as assert from 'node:assert/strict';
import { checkStructuredContent } from '../../src/core/outputCheck';
import {
  base64Bytes,
  boundedText,
  classifyContent,
  formatBytes,
  isAllowedLink,
  resultText,
  textFormat,
  textRenderLimit,
} from '../../src/core/resultView';
import { CachingSchemaValidator } from '../../src/core/schemaValidator';
import { markdownHtml } from '../../src/webviews/shared/markdown';

const onePixelPng = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

describe('results view', () => {
  describe('link allow-list', () => {
    it('allows http, https and mailto links only', () => {
      for (const url of ['https://example.com/a?b=1', 'http://example.com', 'HTTPS://Example.com', 'mailto:someone@example.com']) assert.ok(isAllowedLink(url), url);
      for (const url of ['javascript:alert(1)', 'JavaScript:alert(1)', 'command:workbench.action.openSettings', 'file:///etc/passwd', 'vscode://x', 'data:text/html,x', 'https://', '//example.com', 'example.com', '']) {
        assert.equal(isAllowedLink(url), false, url);
      }
    });
  });

  describe('the Markdown rule', () => {
    it('is Markdown when declared so, or when the text has Markdown structure', () => {
      assert.equal(textFormat('plain words', 'text/markdown'), 'markdown');
      assert.equal(textFormat('# Heading\n\ntext'), 'markdown');
      assert.equal(textFormat('intro\n```js\nx()\n```'), 'markdown');
      assert.equal(textFormat('see [docs](https://example.com)'), 'markdown');
      assert.equal(textFormat('- one\n- two'), 'markdown');
      assert.equal(textFormat('| a | b |\n|---|---|\n| 1 | 2 |'), 'markdown');
      assert.equal(textFormat('this is **important**'), 'markdown');
    });

    it('is plain for prose, log lines, a single list-like line and code without fences', () => {
      assert.equal(textFormat('hello from the tool'), 'plain');
      assert.equal(textFormat('2026-11-30 12:00:00 INFO started\n2026-11-30 12:00:01 WARN slow'), 'plain');
      assert.equal(textFormat('- just one dash line'), 'plain');
      assert.equal(textFormat('const a = b * c * d;'), 'plain');
      assert.equal(textFormat('# Heading', 'text/plain'), 'plain', 'a declared text/plain stays plain');
    });

    it('is JSON for a JSON object or array text', () => {
      assert.equal(textFormat('{"a": 1}'), 'json');
      assert.equal(textFormat(' [1, 2] '), 'json');
      assert.equal(textFormat('{not json'), 'plain');
    });
  });

  describe('content classification', () => {
    it('shows common image and audio types inline and lists the others with their size', () => {
      assert.deepEqual(classifyContent({ type: 'image', data: onePixelPng, mimeType: 'image/png' }, 0), { kind: 'image', mimeType: 'image/png', data: onePixelPng, bytes: 68 });
      const svg = classifyContent({ type: 'image', data: 'PHN2Zz48L3N2Zz4=', mimeType: 'image/svg+xml' }, 0);
      assert.deepEqual(svg, { kind: 'media', media: 'image', mimeType: 'image/svg+xml', bytes: 11 });
      const html = classifyContent({ type: 'image', data: 'AAAA', mimeType: 'text/html' }, 0);
      assert.equal(html.kind, 'media', 'a text/html "image" is not put in a data: URL');
      const notBase64 = classifyContent({ type: 'image', data: '"><script>', mimeType: 'image/png' }, 0);
      assert.equal(notBase64.kind, 'media', 'data that is not base64 is not put in a data: URL');
      assert.equal(classifyContent({ type: 'audio', data: 'UklGRg==', mimeType: 'audio/wav' }, 1).kind, 'audio');
      assert.equal(classifyContent({ type: 'audio', data: 'UklGRg==', mimeType: 'audio/x-unknown' }, 1).kind, 'media');
    });

    it('tells text, embedded resources and resource links apart', () => {
      assert.deepEqual(classifyContent({ type: 'text', text: '# Title' }, 0), { kind: 'text', text: '# Title', format: 'markdown' });
      const embedded = classifyContent({ type: 'resource', resource: { uri: 'x://a.md', mimeType: 'text/markdown', text: 'plain' } }, 0);
      assert.deepEqual(embedded, { kind: 'resource-text', uri: 'x://a.md', mimeType: 'text/markdown', text: 'plain', format: 'markdown' });
      const blob = classifyContent({ type: 'resource', resource: { uri: 'x://b', blob: 'AAECAwQFBgc=' } }, 3);
      assert.deepEqual(blob, { kind: 'resource-blob', uri: 'x://b', mimeType: undefined, bytes: 8, index: 3 });
      const link = classifyContent({ type: 'resource_link', uri: 'x://c', name: 'c' }, 0);
      assert.equal(link.kind, 'resource-link');
      const unknown = classifyContent({ type: 'future' } as never, 0);
      assert.equal(unknown.kind, 'unknown');
    });

    it("copies the result's text blocks and embedded texts", () => {
      const text = resultText({ content: [{ type: 'text', text: 'one' }, { type: 'image', data: onePixelPng, mimeType: 'image/png' }, { type: 'resource', resource: { uri: 'x://a', text: 'two' } }] });
      assert.equal(text, 'one\n\ntwo');
    });
  });

  describe('size bounds', () => {
    it('cuts rendered text at the limit and says so', () => {
      const big = 'x'.repeat(textRenderLimit + 10);
      assert.deepEqual(boundedText('short'), { shown: 'short', cut: false });
      const { shown, cut } = boundedText(big);
      assert.equal(shown.length, textRenderLimit);
      assert.ok(cut);
    });

    it('measures base64 without decoding it, and formats sizes', () => {
      assert.equal(base64Bytes(Buffer.alloc(1000).toString('base64')), 1000);
      assert.equal(base64Bytes(Buffer.alloc(1001).toString('base64')), 1001);
      assert.equal(formatBytes(512), '512 B');
      assert.equal(formatBytes(1536), '1.5 KB');
      assert.equal(formatBytes(10 * 1024 * 1024), '10 MB');
    });
  });

  describe('outputSchema check', () => {
    const validator = new CachingSchemaValidator();
    const schema = { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] };

    it('says whether structured content matches, with the errors when it does not', () => {
      assert.deepEqual(checkStructuredContent(validator, { count: 2 }, schema), { status: 'valid' });
      const mismatch = checkStructuredContent(validator, { count: 'many' }, schema);
      assert.equal(mismatch.status, 'invalid');
      assert.match((mismatch as { errors: string }).errors, /count/);
      assert.deepEqual(checkStructuredContent(validator, { any: 1 }, undefined), { status: 'no-schema' });
    });
  });

  describe('Markdown rendering', () => {
    it('keeps raw HTML as text, renders no image and no link but http, https and mailto', () => {
      const html = markdownHtml('# T\n\n<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n![pic](https://example.com/p.png) [ok](https://example.com/a) [bad](javascript:alert(1)) [cmd](command:x) https://auto.example/b');
      assert.doesNotMatch(html, /<script|<img/i, html);
      assert.match(html, /&lt;script&gt;/);
      assert.match(html, /data-href="https:\/\/example.com\/a"/);
      assert.match(html, /data-href="https:\/\/auto.example\/b"/, 'linkify makes a bare URL a link');
      assert.doesNotMatch(html, /\shref=/, 'no link carries an href the page could navigate to');
      assert.doesNotMatch(html, /data-href="(javascript|command):/, html);
      assert.match(html, /<h1>T<\/h1>/);
    });
  });
});
