import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_STATE, type GatewayState } from '../../state/gateway-state.port';
import { withLocks } from '../../state/with-locks';
import type { BoardPostState } from './board-post';

const NS = 'board';

/**
 * Per (board, post) state on the gateway's state port: revision, field hashes, reply hashes.
 * Written only after the records it describes are durable on Kafka, so a failed publish leaves the
 * old state and the scraper's next push produces the update again. Pushes touching the same post
 * hold its lock (across replicas), so the same edit arriving twice at once publishes one update.
 */
@Injectable()
export class BoardPostStore {
  constructor(@Inject(GATEWAY_STATE) private readonly state: GatewayState) {}

  get(key: string): Promise<BoardPostState | undefined> {
    return this.state.get<BoardPostState>(NS, key);
  }

  /** Commits all states at once. */
  async putAll(states: { key: string; state: BoardPostState }[]): Promise<void> {
    await this.state.putAll(
      NS,
      states.map(({ key, state }) => ({ key, value: state })),
    );
  }

  withPosts<R>(keys: string[], task: () => Promise<R>): Promise<R> {
    return withLocks(
      this.state,
      keys.map((k) => `${NS}:${k}`),
      task,
    );
  }
}
