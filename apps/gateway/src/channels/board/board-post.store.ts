import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Database, RootDatabase } from 'lmdb';
import { GATEWAY_ENV } from '../../config/tokens';
import type { GatewayEnv } from '../../config/gateway.env';
import { openStateDb } from '../../state/state-db';
import type { BoardPostState } from './board-post';

/**
 * Per (board, post) state in LMDB (GATEWAY_STATE_DIR/board): revision, field hashes, reply hashes.
 * Written only after the records it describes are durable on Kafka, so a failed publish leaves the
 * old state and the scraper's next push produces the update again.
 */
@Injectable()
export class BoardPostStore implements OnModuleDestroy {
  private readonly root: RootDatabase;
  private readonly posts: Database<BoardPostState, string>;

  constructor(@Inject(GATEWAY_ENV) env: GatewayEnv) {
    this.root = openStateDb(env, 'board');
    this.posts = this.root.openDB({ name: 'posts', encoding: 'msgpack' });
  }

  get(key: string): BoardPostState | undefined {
    return this.posts.get(key);
  }

  /** Commits all states at once (fsynced). */
  async putAll(states: { key: string; state: BoardPostState }[]): Promise<void> {
    if (states.length === 0) return;
    await this.root.transaction(() => {
      for (const { key, state } of states) void this.posts.put(key, state);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.root.close();
  }
}
