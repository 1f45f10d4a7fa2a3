import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Database, RootDatabase } from 'lmdb';
import { trackingNumberFor } from '@app/contracts';
import { GATEWAY_ENV } from '../../../config/tokens';
import type { GatewayEnv } from '../../../config/gateway.env';
import type { PetitionDraft } from '../../channel-adapter';
import type { SegmentInfo } from './sms-gateway.adapter';
import { KeyedMutex } from '../../../state/keyed-mutex';
import { openStateDb } from '../../../state/state-db';

/** The parts of one concatenated SMS seen so far, as stored. */
export interface SegmentGroup {
  /** Hash of (gateway, from, to, reference): where the group is stored. */
  slot: string;
  /** The petition's idempotency key; its tracking number is derived from it. */
  petitionKey: string;
  petitionId: string;
  total: number;
  /** When the first part arrived (ms) and when the group is given up on. */
  firstAt: number;
  deadline: number;
  /** Part number → the part's draft as the adapter parsed it. */
  parts: Record<string, PetitionDraft>;
}

export interface SegmentReceipt {
  petitionId: string;
  /** The group, when this part completed it (publish it, then call `release`). */
  complete: SegmentGroup | null;
}

/** A segment that cannot join its group (the group was opened with another part count). */
export class SegmentConflict extends Error {
  readonly code = 'concat-mismatch';
}

/** How long a message id → tracking number answer is kept for senders' retries. */
const MESSAGE_MEMORY_MS = 7 * 24 * 3600 * 1000;

/**
 * Durable store of concatenated-SMS parts (LMDB under GATEWAY_STATE_DIR/sms-gateway). A part is
 * acknowledged only after it is committed here, so a restart loses nothing the gateway was told we
 * have; groups are removed only after their petition is durable on Kafka.
 *
 * The tracking number of a group is fixed when its first part arrives and derived from
 * (gateway, from, to, reference, generation): the generation counts the groups that ever used that
 * reference, because 8-bit references wrap around and a later message must not be taken for a
 * retry of an old one. Every part's response (and every retry of a part) carries the number.
 */
@Injectable()
export class SmsSegmentStore implements OnModuleDestroy {
  private readonly root: RootDatabase;
  private readonly groups: Database<SegmentGroup, string>;
  private readonly messages: Database<{ petitionId: string; at: number }, string>;
  private readonly generations: Database<number, string>;
  private readonly locks = new KeyedMutex();

  constructor(@Inject(GATEWAY_ENV) env: GatewayEnv) {
    this.root = openStateDb(env, 'sms-gateway');
    this.groups = this.root.openDB({ name: 'groups', encoding: 'msgpack' });
    this.messages = this.root.openDB({ name: 'messages', encoding: 'msgpack' });
    this.generations = this.root.openDB({ name: 'generations', encoding: 'msgpack' });
  }

  /** Stores one part durably; resolves once it is committed. */
  async add(
    draft: PetitionDraft,
    segment: SegmentInfo,
    now: number,
    timeoutMs: number,
  ): Promise<SegmentReceipt> {
    const slot = createHash('sha256')
      .update([segment.gatewayId, segment.from, segment.to, segment.ref].join('\u0000'))
      .digest('hex')
      .slice(0, 32);
    return this.locks.run(slot, async () => {
      const messageKey = `${segment.gatewayId}:${draft.ref}`;
      const known = this.messages.get(messageKey);
      if (known) return { petitionId: known.petitionId, complete: null };
      let group = this.groups.get(slot);
      let generation: number | undefined;
      if (group && group.total !== segment.total) {
        throw new SegmentConflict(
          `an open group with this reference has ${group.total} parts, not ${segment.total}`,
        );
      }
      if (!group) {
        generation = (this.generations.get(slot) ?? 0) + 1;
        const petitionKey = `sms:gateway:${segment.gatewayId}:concat:${slot}:${generation}`;
        group = {
          slot,
          petitionKey,
          petitionId: trackingNumberFor(petitionKey),
          total: segment.total,
          firstAt: now,
          deadline: now + timeoutMs,
          parts: {},
        };
      }
      // A part number seen twice under different message ids keeps the first text.
      const partKey = String(segment.part);
      if (!group.parts[partKey]) group.parts[partKey] = draft;
      const stored = group;
      await this.root.transaction(() => {
        void this.groups.put(slot, stored);
        void this.messages.put(messageKey, { petitionId: stored.petitionId, at: now });
        if (generation !== undefined) void this.generations.put(slot, generation);
      });
      const complete = Object.keys(stored.parts).length >= stored.total;
      return { petitionId: stored.petitionId, complete: complete ? stored : null };
    });
  }

  /** Forgets a group once its petition is durable on Kafka. */
  async release(group: SegmentGroup): Promise<void> {
    await this.locks.run(group.slot, async () => {
      const current = this.groups.get(group.slot);
      if (current?.petitionKey === group.petitionKey) await this.groups.remove(group.slot);
    });
  }

  /** Groups to publish now: complete ones (an earlier publish failed) and timed-out ones. */
  due(now: number): SegmentGroup[] {
    const out: SegmentGroup[] = [];
    for (const { value } of this.groups.getRange()) {
      if (Object.keys(value.parts).length >= value.total || value.deadline <= now) out.push(value);
    }
    return out;
  }

  /** Drops message-id memories older than a week (a sender's retries come within minutes). */
  async prune(now: number): Promise<void> {
    for (const { key, value } of this.messages.getRange()) {
      if (value.at < now - MESSAGE_MEMORY_MS) await this.messages.remove(key);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.root.close();
  }
}

/**
 * One petition from a group's parts, in part order whatever order they arrived in. Missing parts
 * (a timed-out group) are left out and the petition says so in meta.
 */
export function assembleSegments(group: SegmentGroup): PetitionDraft {
  const parts = Object.entries(group.parts)
    .map(([n, draft]) => [Number(n), draft] as const)
    .sort((a, b) => a[0] - b[0]);
  const first = parts[0]?.[1];
  if (!first) throw new Error('a segment group without parts');
  const received = new Set(parts.map(([n]) => n));
  const missing: number[] = [];
  for (let n = 1; n <= group.total; n++) if (!received.has(n)) missing.push(n);
  const { providerMessageId: _id, concatPart: _part, concatTotal: _total, ...meta } = first.meta;
  return {
    ...first,
    ref: group.petitionKey,
    idempotencyKey: group.petitionKey,
    text: parts.map(([, d]) => d.text).join(''),
    meta: {
      ...meta,
      providerMessageIds: parts.map(([, d]) => String(d.meta.providerMessageId)).join(','),
      partsTotal: group.total,
      partsReceived: parts.length,
      incomplete: missing.length > 0,
      missingParts: missing.length > 0 ? missing.join(',') : null,
    },
  };
}
