import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_STATE, type GatewayState } from '../../state/gateway-state.port';

export interface ImapCursor {
  uidValidity: string;
  lastUid: number;
  /** Fencing token of the poller lease under which it was written. */
  token?: number;
}

interface KnownMessage {
  petitionId: string;
  at: number;
}

const NS = 'email';

/**
 * What the email channel must remember across restarts and share between replicas, on the
 * gateway's state port (LMDB for one instance, Redis for several):
 * - `key:<idempotency key>` → petition: this message was made durable (IMAP and SMTP share
 *   keys, so the same message arriving both ways, again after a crash, or at two replicas, is not
 *   republished and gets no second receipt);
 * - `mid:<Message-ID>` → petitionId, for linking replies and follow-ups in the same thread;
 * - `imap:<account>:<mailbox>` → UIDVALIDITY, the highest UID handled, the lease's fencing token.
 */
@Injectable()
export class EmailStateStore {
  constructor(@Inject(GATEWAY_STATE) private readonly state: GatewayState) {}

  async petitionForKey(idempotencyKey: string): Promise<string | null> {
    const known = await this.state.get<KnownMessage>(NS, `key:${idempotencyKey}`);
    return known?.petitionId ?? null;
  }

  async petitionForMessageId(messageId: string): Promise<string | null> {
    return (await this.state.get<string>(NS, `mid:${messageId}`)) ?? null;
  }

  async remember(
    idempotencyKey: string,
    messageIds: string[],
    petitionId: string,
    now: number,
  ): Promise<void> {
    await this.state.putAll<unknown>(NS, [
      { key: `key:${idempotencyKey}`, value: { petitionId, at: now } satisfies KnownMessage },
      ...messageIds.map((id) => ({ key: `mid:${id}`, value: petitionId })),
    ]);
  }

  async cursor(account: string, mailbox: string): Promise<ImapCursor | null> {
    return (await this.state.get<ImapCursor>(NS, `imap:${account}:${mailbox}`)) ?? null;
  }

  /**
   * Saves a cursor unless a poller holding a newer lease (a larger fencing token) has written one:
   * a poller that lost its lease mid-poll must not move the cursor back. Returns whether it saved.
   */
  async saveCursor(account: string, mailbox: string, cursor: ImapCursor): Promise<boolean> {
    const key = `imap:${account}:${mailbox}`;
    return this.state.withLock(`${NS}:${key}`, async () => {
      const current = await this.state.get<ImapCursor>(NS, key);
      if ((current?.token ?? 0) > (cursor.token ?? 0)) return false;
      await this.state.putAll(NS, [{ key, value: cursor }]);
      return true;
    });
  }
}
