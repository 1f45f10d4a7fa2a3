import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import petitionEventSchema from './schemas/petition-event.v1.schema.json';
import type { PetitionEvent } from './petition-event';

export { petitionEventSchema };

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    compiled = ajv.compile(petitionEventSchema);
  }
  return compiled;
}

/** Problems of an event against the v1 JSON Schema, as readable strings; empty when valid. */
export function petitionEventProblems(event: unknown): string[] {
  const validate = validator();
  if (validate(event)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
  );
}

export function isPetitionEvent(event: unknown): event is PetitionEvent {
  return petitionEventProblems(event).length === 0;
}
