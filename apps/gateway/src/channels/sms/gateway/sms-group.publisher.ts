import type { PinoLogger } from 'nestjs-pino';
import type { IntakeService } from '../../../intake/intake.service';
import { assembleSegments, type SegmentGroup } from './sms-segment.store';

/**
 * Publishes the petition of a complete (or timed-out) concatenated SMS. Resolves once it is
 * durable, or once intake refused it; either way the group may then be released. Each part was
 * checked against the same rules when it was stored (and a part's text is bounded so the joined
 * text fits), so a refusal here means those checks drifted: it is logged at error level, with the
 * reason, rather than retried by the sweeper for ever.
 */
export async function publishGroup(
  intake: IntakeService,
  group: SegmentGroup,
  at: Date,
  correlationId: string,
  log: PinoLogger,
): Promise<void> {
  const [outcome] = await intake.accept(
    { items: [assembleSegments(group)], rejected: [] },
    at,
    correlationId,
  );
  if (outcome?.status === 'rejected') {
    log.error(
      { petitionId: group.petitionId, code: outcome.code, reason: outcome.message },
      'SMS group refused by intake after its parts were acknowledged; not published',
    );
  }
}
