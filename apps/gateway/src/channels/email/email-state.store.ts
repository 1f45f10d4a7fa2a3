import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { open, type RootDatabase } from 'lmdb';

export interface ImapCursor {
  uidValidity: string;
  lastUid: number;
}

interface KnownMessage {
  petitionId: string;
  at: number;
}

/**
 * What the email channel must remember across restarts, in LMDB under
 * `<GATEWAY_STATE_DIR>/email` (commits are fsynced, LMDB's default):
 * - `key:<idempotency key>` → petition: this message was made durable (IMAP and SMTP share
 *   keys, so the same message arriving both ways, or again after a crash, is not republished and
 *   gets no second receipt);
 * - `mid:<Message-ID>` → petitionId, for linking replies and follow-ups in the same thread;
 * - `imap:<account>:<mailbox>` → UIDVALIDITY and the highest UID handled.
 */
export class EmailStateStore {
  private db?: RootDatabase;

  constructor(private readonly stateDir: string) {}

  private open(): RootDatabase {
    if (!this.db) {
      const path = join(resolve(this.stateDir), 'email');
      mkdirSync(path, { recursive: true });
      this.db = open({ path, compression: false });
    }
    return this.db;
  }

  petitionForKey(idempotencyKey: string): string | null {
    const known = this.open().get(`key:${idempotencyKey}`) as KnownMessage | undefined;
    return known?.petitionId ?? null;
  }

  petitionForMessageId(messageId: string): string | null {
    return (this.open().get(`mid:${messageId}`) as string | undefined) ?? null;
  }

  async remember(
    idempotencyKey: string,
    messageIds: string[],
    petitionId: string,
    now: number,
  ): Promise<void> {
    const db = this.open();
    await db.transaction(() => {
      void db.put(`key:${idempotencyKey}`, { petitionId, at: now } satisfies KnownMessage);
      for (const id of messageIds) void db.put(`mid:${id}`, petitionId);
    });
  }

  cursor(account: string, mailbox: string): ImapCursor | null {
    return (this.open().get(`imap:${account}:${mailbox}`) as ImapCursor | undefined) ?? null;
  }

  async saveCursor(account: string, mailbox: string, cursor: ImapCursor): Promise<void> {
    await this.open().put(`imap:${account}:${mailbox}`, cursor);
  }

  async close(): Promise<void> {
    await this.db?.close();
    this.db = undefined;
  }
}
