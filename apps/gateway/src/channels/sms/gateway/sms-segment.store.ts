import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { trackingNumberFor } from '@app/contracts';
import { GATEWAY_STATE, type GatewayState } from '../../../state/gateway-state.port';
import type { PetitionDraft } from '../../channel-adapter';
import type { SegmentInfo } from './sms-gateway.adapter';

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
const NS = 'sms-gateway';

/**
 * Durable store of concatenated-SMS parts, on the gateway's state port (LMDB for one instance,
 * Redis shared by replicas). A part is acknowledged only after it is committed, so a restart loses
 * nothing the gateway was told we have; groups are removed only after their petition is durable on
 * Kafka. Each group's read-decide-write runs under the port's lock on its slot, so parts of one
 * message arriving at two replicas at once make one group, completed (and published) once.
 *
 * The tracking number of a group is fixed when its first part arrives and derived from
 * (gateway, from, to, reference, generation): the generation counts the groups that ever used that
 * reference, because 8-bit references wrap around and a later message must not be taken for a
 * retry of an old one. Every part's response (and every retry of a part) carries the number.
 */
@Injectable()
export class SmsSegmentStore {
  constructor(@Inject(GATEWAY_STATE) private readonly state: GatewayState) {}

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
    return this.state.withLock(`${NS}:${slot}`, async () => {
      const messageKey = `m:${segment.gatewayId}:${draft.ref}`;
      const known = await this.state.get<{ petitionId: string }>(NS, messageKey);
      if (known) return { petitionId: known.petitionId, complete: null };
      let group = await this.state.get<SegmentGroup>(NS, `g:${slot}`);
      let generation: number | undefined;
      if (group && group.total !== segment.total) {
        throw new SegmentConflict(
          `an open group with this reference has ${group.total} parts, not ${segment.total}`,
        );
      }
      if (!group) {
        generation = ((await this.state.get<number>(NS, `gen:${slot}`)) ?? 0) + 1;
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
      await this.state.putAll<unknown>(NS, [
        { key: `g:${slot}`, value: group },
        { key: messageKey, value: { petitionId: group.petitionId }, ttlMs: MESSAGE_MEMORY_MS },
        ...(generation !== undefined ? [{ key: `gen:${slot}`, value: generation }] : []),
      ]);
      const complete = Object.keys(group.parts).length >= group.total;
      return { petitionId: group.petitionId, complete: complete ? group : null };
    });
  }

  /** Forgets a group once its petition is durable on Kafka. */
  async release(group: SegmentGroup): Promise<void> {
    await this.state.withLock(`${NS}:${group.slot}`, async () => {
      const current = await this.state.get<SegmentGroup>(NS, `g:${group.slot}`);
      if (current?.petitionKey === group.petitionKey)
        await this.state.delete(NS, `g:${group.slot}`);
    });
  }

  /** Groups to publish now: complete ones (an earlier publish failed) and timed-out ones. */
  async due(now: number): Promise<SegmentGroup[]> {
    const out: SegmentGroup[] = [];
    for await (const { value } of this.state.scan<SegmentGroup>(NS, 'g:')) {
      if (Object.keys(value.parts).length >= value.total || value.deadline <= now) out.push(value);
    }
    return out;
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
