// The gateway's front door: every byte from a gateway client is hostile. A request passes only
// when it is addressed to the loopback address and port we listen on (DNS rebinding), carries
// no `Origin` (browsers send one on every cross-origin request), and presents the gateway's
// token; a connection that sends too many requests is slowed down with 429.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

export interface Refusal {
  status: 401 | 403 | 429;
  message: string;
}

/** A fresh 256-bit token, URL-safe. */
export function newGatewayToken(): string {
  return randomBytes(32).toString('base64url');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class RequestGuard {
  private readonly tokenDigest: Buffer;
  private readonly allowedHosts: Set<string>;

  constructor(token: string, port: number) {
    this.tokenDigest = digest(token);
    this.allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  }

  /** Undefined when the request may proceed. Host and Origin are checked before the token, so a browser learns nothing about it. */
  check(req: IncomingMessage): Refusal | undefined {
    if (!this.allowedHosts.has(req.headers.host ?? '')) return { status: 403, message: 'Forbidden: the Host header must be the gateway loopback address.' };
    if (req.headers.origin !== undefined) return { status: 403, message: 'Forbidden: requests from web pages are refused.' };
    const authorization = req.headers.authorization ?? '';
    const presented = /^Bearer ([^\s]+)$/.exec(authorization)?.[1] ?? '';
    // Digests have one length, so the comparison takes the same time whatever was sent.
    if (!timingSafeEqual(digest(presented), this.tokenDigest)) return { status: 401, message: 'Unauthorized: a valid gateway token is required.' };
    return undefined;
  }
}

export interface RateLimit {
  /** Requests a connection may send at once. */
  burst: number;
  /** Requests per second a connection may sustain. */
  perSecond: number;
}

/**
 * A local agent calling tools back to back makes a few hundred requests a second over one
 * connection (a warm call through the gateway takes ~3 ms); the bound is there to stop a runaway
 * or hostile client from monopolising the host, not to pace a busy one.
 */
export const defaultRateLimit: RateLimit = { burst: 2000, perSecond: 1000 };

/** A token bucket per TCP connection. */
export class ConnectionRateLimiter {
  private readonly buckets = new WeakMap<Socket, { tokens: number; at: number }>();

  constructor(private readonly limit: RateLimit = defaultRateLimit) {}

  allow(socket: Socket, now = Date.now()): boolean {
    const bucket = this.buckets.get(socket) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(socket, bucket);
    return allowed;
  }
}
