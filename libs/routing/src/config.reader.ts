import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { RoutingConfigError } from './routing-config.error';

/** Reads and parses one YAML file, turning I/O and syntax errors into a RoutingConfigError. */
export function readYamlFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RoutingConfigError(path, '', `cannot read file (${(error as Error).message})`);
  }
  try {
    return parse(text) as unknown;
  } catch (error) {
    throw new RoutingConfigError(path, '', `invalid YAML (${(error as Error).message})`);
  }
}

/**
 * Hand-written checks for the small config shapes of this lib. Each check names the field by its
 * dotted path ("districts[3].towns[0]") so that the error points at the line to fix.
 */
export class ConfigReader {
  constructor(readonly file: string) {}

  fail(field: string, problem: string): never {
    throw new RoutingConfigError(this.file, field, problem);
  }

  record(value: unknown, field: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      this.fail(field, 'must be a mapping');
    return value as Record<string, unknown>;
  }

  /** Rejects keys the schema does not know, so a misspelt key fails instead of being ignored. */
  onlyKeys(value: Record<string, unknown>, field: string, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key))
        this.fail(join(field, key), `unknown key (expected one of ${allowed.join(', ')})`);
    }
  }

  list(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'must be a list');
    return value as unknown[];
  }

  optionalList(value: unknown, field: string): unknown[] {
    return value === undefined || value === null ? [] : this.list(value, field);
  }

  text(value: unknown, field: string): string {
    if (typeof value !== 'string' || value.trim().length === 0)
      this.fail(field, 'must be a non-empty string');
    return value.trim();
  }

  optionalText(value: unknown, field: string): string | undefined {
    return value === undefined || value === null ? undefined : this.text(value, field);
  }

  texts(value: unknown, field: string): string[] {
    return this.optionalList(value, field).map((item, i) => this.text(item, `${field}[${i}]`));
  }

  bool(value: unknown, field: string, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(field, 'must be true or false');
    return value;
  }

  wholeNumber(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      this.fail(field, 'must be a whole number ≥ 0');
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(field, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }
}

export function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}
