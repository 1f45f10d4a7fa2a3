import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import petitionEventSchema from './schemas/petition-event.v1.schema.json';
import rawPetitionSchema from './schemas/raw-petition.v1.schema.json';
import type { PetitionEvent } from './petition-event';
import type { RawPetition } from './raw-petition';

export { petitionEventSchema, rawPetitionSchema };

/**
 * 'full' checks formats exactly (a date-time must be a real calendar instant): for anything that
 * came from outside. 'fast' checks their shape only: for what this code just built from Date
 * objects, where the exact check costs two thirds of validating a whole event.
 */
type FormatMode = 'full' | 'fast';

const ajvs = new Map<FormatMode, Ajv2020>();
const compiled = new Map<FormatMode, Map<object, ValidateFunction>>();

function validator(schema: object, mode: FormatMode): ValidateFunction {
  const cache = compiled.get(mode) ?? new Map<object, ValidateFunction>();
  compiled.set(mode, cache);
  let fn = cache.get(schema);
  if (!fn) {
    let ajv = ajvs.get(mode);
    if (!ajv) {
      ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
      addFormats(ajv, { mode });
      ajvs.set(mode, ajv);
    }
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

function problems(schema: object, value: unknown, mode: FormatMode = 'full'): string[] {
  const validate = validator(schema, mode);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
  );
}

/**
 * The normalizer's self-check of an event it has just built: the whole schema, with date-time
 * fields checked for shape only (they were written by Date#toISOString). Consumers and tests use
 * {@link petitionEventProblems}.
 */
export function builtEventProblems(event: unknown): string[] {
  return problems(petitionEventSchema, event, 'fast');
}

/** Problems of an event against the v1 JSON Schema, as readable strings; empty when valid. */
export function petitionEventProblems(event: unknown): string[] {
  return problems(petitionEventSchema, event);
}

/** Problems of a raw record against its schema; empty when it can be normalised. */
export function rawPetitionProblems(raw: unknown): string[] {
  return problems(rawPetitionSchema, raw);
}

export function isRawPetition(raw: unknown): raw is RawPetition {
  return rawPetitionProblems(raw).length === 0;
}

export function isPetitionEvent(event: unknown): event is PetitionEvent {
  return petitionEventProblems(event).length === 0;
}
