// The rules of the extension's answers to servers (src/vscode/clientRequests/policy.ts): which
// page a URL-mode elicitation may open, what a sampling approval shows and that nothing is sent
// before it is approved, which model answers, what a form starts with.
import * as assert from 'node:assert/strict';
import { fieldModel, initialValue } from '../../src/webviews/shared/schemaForm/model';
import {
  answerSampling,
  pickModel,
  samplingApprovalPrompt,
  urlConsentPrompt,
  urlElicitationVerdict,
  type ChatModelInfo,
  type SamplingHost,
  type SamplingParams,
} from '../../src/vscode/clientRequests/policy';

const model = (id: string, family = id): ChatModelInfo => ({ id, name: `Model ${id}`, family, vendor: 'test' });

const request: SamplingParams = {
  messages: [
    { role: 'user', content: { type: 'text', text: 'What is 2 + 2?' } },
    { role: 'assistant', content: { type: 'text', text: 'Four.' } },
    { role: 'user', content: [{ type: 'text', text: 'And 3 + 3?' }] },
  ],
  maxTokens: 64,
  systemPrompt: 'Answer briefly.',
};

describe('client request policy', () => {
  describe('URL-mode elicitation', () => {
    it('opens https pages and names their host', () => {
      assert.deepEqual(urlElicitationVerdict('srv', 'https://auth.example.com:8443/start?x=1'), { ok: true, url: 'https://auth.example.com:8443/start?x=1', host: 'auth.example.com:8443' });
    });

    it('refuses anything but https, with a message naming the server and the scheme', () => {
      for (const [address, scheme] of [
        ['http://example.com/', 'http'],
        ['file:///etc/passwd', 'file'],
        ['javascript:alert(1)', 'javascript'],
        ['vscode://ms-vscode.remote/open', 'vscode'],
        ['command:workbench.action.reloadWindow', 'command'],
      ]) {
        const verdict = urlElicitationVerdict('srv', address);
        assert.deepEqual(verdict, { ok: false, reason: `"srv" asked to open a ${scheme} address; only https pages are opened, so nothing was opened.` }, address);
      }
    });

    it('refuses addresses that are not URLs and addresses with credentials, which show one host and open another', () => {
      assert.deepEqual(urlElicitationVerdict('srv', 'not a url'), { ok: false, reason: '"srv" asked to open a page, but "not a url" is not a valid address; nothing was opened.' });
      const verdict = urlElicitationVerdict('srv', 'https://bank.example@evil.example/');
      assert.equal(verdict.ok, false);
      assert.match(!verdict.ok ? verdict.reason : '', /user name or password/);
    });

    it('shows a look-alike host in ASCII (punycode), so it does not pass for another', () => {
      const verdict = urlElicitationVerdict('srv', 'https://аpple.com/login');
      assert.ok(verdict.ok);
      assert.equal(verdict.host, 'xn--pple-43d.com');
    });

    it('the consent names the server, the host, the message and the address', () => {
      const prompt = urlConsentPrompt('srv', { mode: 'url', message: 'Sign in to continue', url: 'https://auth.example.com/x', elicitationId: 'e1' }, 'auth.example.com');
      assert.equal(prompt.text, 'MCP server "srv" asks you to open a page on auth.example.com.');
      assert.equal(prompt.detail, 'Its message: Sign in to continue\n\nAddress: https://auth.example.com/x\n\nOpen it only if you expect "srv" to send you to auth.example.com.');
    });
  });

  describe('sampling', () => {
    it('the approval shows the server, model, max tokens, system prompt and every message', () => {
      const prompt = samplingApprovalPrompt('srv', 'Model A (test)', request);
      assert.equal(prompt.text, 'MCP server "srv" asks to use a language model (sampling). Send this request to Model A (test)?');
      assert.equal(
        prompt.detail,
        ['Model: Model A (test)', 'Max tokens: 64', 'System prompt: Answer briefly.', '', 'Messages (3):', 'user: What is 2 + 2?', 'assistant: Four.', 'user: And 3 + 3?'].join('\n'),
      );
    });

    it('a message cannot pass for a line of the approval: its later lines are indented', () => {
      const spoof: SamplingParams = { maxTokens: 5, messages: [{ role: 'user', content: { type: 'text', text: 'Hi\nMax tokens: 1\r\nModel: safe' } }] };
      assert.match(samplingApprovalPrompt('srv', 'm', spoof).detail, /\nuser: Hi\n {4}Max tokens: 1\n {4}Model: safe$/);
    });

    it('a long request is cut in the approval, and says so', () => {
      const long: SamplingParams = { maxTokens: 10, messages: Array.from({ length: 20 }, () => ({ role: 'user' as const, content: { type: 'text' as const, text: 'x'.repeat(1000) } })) };
      const { detail } = samplingApprovalPrompt('srv', 'm', long);
      assert.ok(detail.length < 4100, `${detail.length} characters`);
      assert.match(detail, /x…\n/, 'each message is cut');
      assert.match(detail, /… \(cut: the request is longer than shown\)$/);
    });

    it('picks the model the hints name, else the first', () => {
      const models = [model('gpt-4o'), model('claude-sonnet-4', 'claude-sonnet')];
      assert.equal(pickModel(models, { ...request, modelPreferences: { hints: [{ name: 'unknown' }, { name: 'sonnet' }] } })?.id, 'claude-sonnet-4');
      assert.equal(pickModel(models, request)?.id, 'gpt-4o');
      assert.equal(pickModel([], request), undefined);
    });

    /** A host that records what happened, in order. */
    function host(options: { enabled?: boolean; models?: ChatModelInfo[]; approve?: boolean }): SamplingHost<ChatModelInfo> & { events: string[] } {
      const events: string[] = [];
      return {
        events,
        enabled: () => options.enabled ?? true,
        models: async () => options.models ?? [model('m1')],
        approve: async (prompt) => {
          events.push(`asked: ${prompt.text}`);
          return options.approve ?? true;
        },
        send: async (chosen, params) => {
          events.push(`sent to ${chosen.id}: ${params.messages.length} messages`);
          return 'six';
        },
      };
    }

    it('is sent only after the user approved this request, and answers with the model text', async () => {
      const approving = host({});
      assert.deepEqual(await answerSampling('srv', request, approving), { role: 'assistant', model: 'm1', content: { type: 'text', text: 'six' }, stopReason: 'endTurn' });
      assert.deepEqual(approving.events, ['asked: MCP server "srv" asks to use a language model (sampling). Send this request to Model m1 (test)?', 'sent to m1: 3 messages']);
    });

    it('a declined approval sends nothing and tells the server the user declined', async () => {
      const declining = host({ approve: false });
      await assert.rejects(answerSampling('srv', request, declining), { message: '"srv" asked for a model completion (sampling); the user declined it.' });
      assert.equal(declining.events.filter((e) => e.startsWith('sent')).length, 0);
    });

    it('off by default: declined without asking, naming the setting', async () => {
      const off = host({ enabled: false });
      await assert.rejects(answerSampling('srv', request, off), {
        message: '"srv" asked for a model completion (sampling), which is off. Turn on the mcpSessions.sampling.enabled user setting to be asked each time.',
      });
      assert.deepEqual(off.events, []);
    });

    it('no model: declined without asking', async () => {
      const none = host({ models: [] });
      await assert.rejects(answerSampling('srv', request, none), { message: '"srv" asked for a model completion (sampling), but no language model is available in this editor.' });
      assert.deepEqual(none.events, []);
    });

    it('images and tool use are declined without asking: only text is sent', async () => {
      const image = host({});
      const withImage: SamplingParams = { maxTokens: 5, messages: [{ role: 'user', content: { type: 'image', data: 'AAAA', mimeType: 'image/png' } }] };
      await assert.rejects(answerSampling('srv', withImage, image), { message: '"srv" asked for a model completion of image content; only text can be sent to a model here, so it was declined.' });
      const withTools: SamplingParams = { ...request, tools: [{ name: 't', inputSchema: { type: 'object' } }] };
      await assert.rejects(answerSampling('srv', withTools, image), /tool use in sampling is not supported/);
      assert.deepEqual(image.events, []);
    });
  });

  it('an elicitation form (the shared schema form) starts with the defaults of the requested schema', () => {
    assert.deepEqual(
      initialValue(fieldModel({
        type: 'object',
        properties: { name: { type: 'string', default: 'Ada' }, age: { type: 'integer' }, ok: { type: 'boolean', default: false }, color: { type: 'string', enum: ['red', 'blue'], default: 'blue' } },
      })),
      { name: 'Ada', ok: false, color: 'blue' },
    );
  });
});
