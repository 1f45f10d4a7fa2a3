import Ajv2020 from 'ajv/dist/2020';
import { petitionEventSchema, rawPetitionProblems, type RawPetition } from '@app/contracts';
import { normalizeBody } from '@app/text';

/**
 * What the normalizer would refuse, checked before a record is published so the sender hears a 4xx
 * (or sees its item rejected) instead of getting a tracking number for a dead letter.
 *
 * The normalizer dead-letters a record that fails the raw-petition schema, and an event that fails
 * the event schema. Most event fields are copied from the raw record, but a few are stricter there
 * (name ≤ 100 and subject ≤ 1000 after normalisation, where raw allows 200 and 2000; attachments
 * and recipients with exactly their fields). Those parts are checked against the event schema's own
 * definitions, so a change to either schema moves this check with it.
 */
export function edgeProblems(raw: RawPetition): string[] {
  const problems = rawPetitionProblems(raw);
  if (problems.length > 0) return problems;
  const projection = {
    subject: cleanOrNull(raw.subject),
    recipient: raw.recipient,
    attachments: raw.attachments,
    petitioner: {
      name: cleanOrNull(raw.petitioner.name),
      email: cleanOrNull(raw.petitioner.email)?.toLowerCase() ?? null,
    },
  };
  if (validateProjection(projection)) return [];
  return (validateProjection.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
  );
}

/** `/petitioner/phone must NOT have …` → `petitioner.phone must NOT have …` (no values quoted). */
export function readableProblem(problem: string): string {
  return problem.replace(/^\/(\S*)/, (_m, path: string) => path.replaceAll('/', '.') || 'record');
}

/** As the normalizer cleans name and subject (petition-normalizer.ts cleanOrNull). */
function cleanOrNull(v: string | null): string | null {
  if (v === null) return null;
  const c = normalizeBody(v);
  return c.length > 0 ? c : null;
}

type SchemaNode = { properties: Record<string, SchemaNode> };
const event = petitionEventSchema as unknown as SchemaNode;
const eventPetitioner = event.properties.petitioner!;

const validateProjection = new Ajv2020({ strict: true, allowUnionTypes: true }).compile({
  type: 'object',
  properties: {
    subject: event.properties.subject,
    recipient: event.properties.recipient,
    attachments: event.properties.attachments,
    petitioner: {
      type: 'object',
      properties: {
        name: eventPetitioner.properties.name,
        email: eventPetitioner.properties.email,
      },
    },
  },
});
