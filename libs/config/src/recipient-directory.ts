import type { Recipient } from '@app/contracts';
import type { ChannelsConfig } from './channels.config';

/** Looks up who an endpoint (a hotline number, a mailbox, an address) belongs to. */
export class RecipientDirectory {
  private readonly byId = new Map<string, Recipient>();
  private readonly byHotline = new Map<string, Recipient>();

  constructor(config: ChannelsConfig) {
    for (const r of config.recipients) {
      this.byId.set(r.id, { id: r.id, name: r.name, kind: r.kind, county: r.county ?? null });
    }
    for (const h of config.sms.hotlines) {
      const recipient = this.byId.get(h.recipient);
      if (recipient) this.byHotline.set(h.number, recipient);
    }
  }

  byRecipientId(id: string): Recipient | null {
    return this.byId.get(id) ?? null;
  }

  /** `number` must already be E.164. */
  forHotline(number: string): Recipient | null {
    return this.byHotline.get(number) ?? null;
  }
}
