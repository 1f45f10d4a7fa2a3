import Ajv2020 from 'ajv/dist/2020';
import {
  petitionEventSchema,
  rawPetitionProblems,
  rawPetitionSchema,
  type RawPetition,
} from '@app/contracts';
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
  const problems = rawPetitionProblems(withoutLongTexts(raw));
  if (problems.length > 0) return problems;
  const subject = cleanOrNull(raw.subject);
  const projection = {
    subject: subject === null ? null : within(subject, EVENT_MAX_SUBJECT),
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

const RAW_MAX = {
  text: rawPetitionSchema.properties.text.maxLength,
  body: rawPetitionSchema.properties.body.maxLength,
  subject: rawPetitionSchema.properties.subject.maxLength,
};

/**
 * Ajv counts a string's code points one by one for maxLength: ~25 ns a character, 26 ms for the
 * megabyte of text a body may carry, half of what one request may hold the event loop (a 500-
 * character subject tripled the cost of a record). A string has no more code points than UTF-16
 * units, so one within its bound by `length` is within it by code points: it is validated as an
 * empty string (same verdict, no scan). One past it by `length` is counted exactly.
 */
function withoutLongTexts(raw: RawPetition): RawPetition {
  const out = { ...raw, text: within(raw.text, RAW_MAX.text) };
  if (raw.subject !== null) out.subject = within(raw.subject, RAW_MAX.subject);
  if (typeof raw.body === 'string') out.body = within(raw.body, RAW_MAX.body);
  return out;
}

function within(v: string, max: number): string {
  return v.length <= max ? '' : v;
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

const EVENT_MAX_SUBJECT = (event.properties.subject as unknown as { maxLength: number }).maxLength;

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
