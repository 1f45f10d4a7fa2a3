import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import petitionEventSchema from './schemas/petition-event.v1.schema.json';
import rawPetitionSchema from './schemas/raw-petition.v1.schema.json';
import type { PetitionEvent } from './petition-event';
import type { RawPetition } from './raw-petition';

export { petitionEventSchema, rawPetitionSchema };

let ajv: Ajv2020 | undefined;
const compiled = new Map<object, ValidateFunction>();

function validator(schema: object): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    if (!ajv) {
      ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
      addFormats(ajv);
    }
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

function problems(schema: object, value: unknown): string[] {
  const validate = validator(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
  );
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
