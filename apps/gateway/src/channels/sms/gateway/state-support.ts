import type { FastifyRequest } from 'fastify';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import type { GatewayEnv } from '../../../config/gateway.env';
import type { InboundRequest } from '../../channel-adapter';

/*
 * Helpers shared by the stateful channels (SMS gateway, board, mailbox), which have controllers of
 * their own: their state must be consulted between parse and publish, so the generic
 * ChannelIngressController (verify → parse → publish) cannot serve them.
 */

/** The request as adapters see it, built the same way as ChannelIngressController does. */
export function toInbound(req: FastifyRequest, env: GatewayEnv): InboundRequest {
  return {
    method: req.method,
    path: req.url,
    publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`,
    headers: req.headers,
    rawBody: (req as FastifyRequest & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0),
    body: req.body,
    clientIp: req.ip,
  };
}

/**
 * Opens (creating if needed) the LMDB environment `<GATEWAY_STATE_DIR>/<name>`. Commits are
 * fsynced (LMDB's default): a write that resolved survives a crash, which is what lets us
 * acknowledge a sender after it.
 */
export function openStateDb(env: GatewayEnv, name: string): RootDatabase {
  const path = join(resolve(env.GATEWAY_STATE_DIR), name);
  mkdirSync(path, { recursive: true });
  return open({ path, maxDbs: 8, compression: false });
}

/**
 * Serialises async work per key: a read-decide-publish-write sequence for one key (one SMS group,
 * one board post, one mailbox fingerprint) must not interleave with another for the same key, or
 * both would decide from the same old state. Different keys run concurrently.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      // Forget the key once nothing is queued behind us, so the map does not grow forever.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Runs `task` holding every key at once (keys sorted, so two callers cannot deadlock). */
  async runAll<T>(keys: string[], task: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const step = (i: number): Promise<T> => {
      const key = sorted[i];
      return key === undefined ? task() : this.run(key, () => step(i + 1));
    };
    return step(0);
  }
}
