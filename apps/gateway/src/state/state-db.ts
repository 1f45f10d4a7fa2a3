import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import type { GatewayEnv } from '../config/gateway.env';

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
