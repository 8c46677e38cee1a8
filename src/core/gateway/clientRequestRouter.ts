// Where a server's questions go (elicitation, roots, sampling) when gateway clients use it too.
// The registry is given one ClientRequestHandlers for every connection; this router is that
// object. While a gateway client's call is in flight on a server and that client declared the
// capability, the question goes back to that client; otherwise to the host's own handlers
// (the extension's UI, the CLI's prompt).
//
// A server's question carries nothing that ties it to one of our calls (a 2025 server→client
// request names no call), so the router routes to a gateway call only when exactly one call
// that can answer is in flight on that server; with two or more the host answers, which is
// never wrong, only less direct.

import type { CreateMessageRequest, CreateMessageResult, ElicitRequest, ElicitResult, ListRootsResult } from '@modelcontextprotocol/client';
import type { ClientRequestHandlers } from '../clientRequests';
import { toDisposable, type Disposable } from '../lifecycle';

/** What one gateway call's client can answer; absent members were not declared by that client. */
export interface GatewayCallAnswers {
  elicit?(params: ElicitRequest['params']): Promise<ElicitResult>;
  listRoots?(): Promise<ListRootsResult>;
  createMessage?(params: CreateMessageRequest['params']): Promise<CreateMessageResult>;
}

export class ClientRequestRouter implements ClientRequestHandlers {
  private readonly inFlight = new Map<string, Set<GatewayCallAnswers>>();
  readonly capabilities: ClientRequestHandlers['capabilities'];

  constructor(private readonly host: ClientRequestHandlers) {
    this.capabilities = host.capabilities;
    // Roots and sampling are declared to servers only when the host can answer them too, so a
    // server never asks a question that nobody may be there to answer.
    if (!host.listRoots) this.listRoots = undefined;
    if (!host.createMessage) this.createMessage = undefined;
  }

  /** Marks a gateway call as in flight on `server` until the returned disposable is disposed. */
  track(server: string, answers: GatewayCallAnswers): Disposable {
    let calls = this.inFlight.get(server);
    if (!calls) this.inFlight.set(server, (calls = new Set()));
    calls.add(answers);
    return toDisposable(() => {
      calls.delete(answers);
      if (calls.size === 0 && this.inFlight.get(server) === calls) this.inFlight.delete(server);
    });
  }

  private soleAnswerer<K extends keyof GatewayCallAnswers>(server: string, kind: K): NonNullable<GatewayCallAnswers[K]> | undefined {
    const able = [...(this.inFlight.get(server) ?? [])].filter((call) => call[kind]);
    return able.length === 1 ? (able[0][kind] as NonNullable<GatewayCallAnswers[K]>) : undefined;
  }

  elicit = (server: string, params: ElicitRequest['params']): Promise<ElicitResult> => {
    const gateway = this.soleAnswerer(server, 'elicit');
    if (gateway) return gateway(params);
    if (this.host.elicit) return this.host.elicit(server, params);
    return Promise.reject(new Error(`"${server}" asked for input (elicitation); answering it is not supported here.`));
  };

  listRoots? = (server: string): Promise<ListRootsResult> => {
    const gateway = this.soleAnswerer(server, 'listRoots');
    return gateway ? gateway() : this.host.listRoots!(server);
  };

  createMessage? = (server: string, params: CreateMessageRequest['params']): Promise<CreateMessageResult> => {
    const gateway = this.soleAnswerer(server, 'createMessage');
    return gateway ? gateway(params) : this.host.createMessage!(server, params);
  };
}
