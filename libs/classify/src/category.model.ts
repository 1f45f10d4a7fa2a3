/**
 * Category model: multinomial logistic regression over hashed character n-grams of matchText.
 *
 * File format (JSON, `format: 'petition-category-model'`, `version: 1`):
 * - `hash`: n-gram hash ('fnv1a-ms-v1', see ngram.hasher.ts); `ngram`: {minN, maxN, bits}, the
 *   n-gram lengths and log2 of the bucket count; `weighting`: 'log' (1 + ln tf) or 'binary',
 *   then the document vector is L2-normalised.
 * - `classes`: the labels, in the order of every per-class array below.
 * - `bias`: one float per class. `temperature`: logits are divided by it before the softmax
 *   (fitted on a held-out slice of the training data), so `confidence` is calibrated.
 * - `weightScale`: weight = int8 × weightScale. `buckets`: base64 of the sorted bucket indices
 *   that have a non-zero weight, as unsigned LEB128 varints of the gaps between them.
 *   `weights`: base64 of an Int8Array, `classes.length` values per stored bucket (row-major).
 *   Buckets not stored have weight 0 for every class.
 * - `training`: provenance only (rows, seconds, options); never read by inference.
 */
import { readFileSync } from 'node:fs';
import { FeatureVectorBuilder, type TermWeighting } from './feature.vector';
import { HASH_NAME, type NgramSpec } from './ngram.hasher';

export const MODEL_FORMAT = 'petition-category-model';
export const MODEL_VERSION = 1;

export interface CategoryModelJson {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  hash: string;
  ngram: NgramSpec;
  weighting: TermWeighting;
  classes: string[];
  bias: number[];
  temperature: number;
  weightScale: number;
  buckets: string;
  weights: string;
  training?: Record<string, unknown>;
}

export interface CategoryPrediction {
  category: string;
  /** Calibrated probability of the top class, 0..1. */
  confidence: number;
  /** Probability of every class. */
  scores: Record<string, number>;
}

/** Dense weights as the trainer produces them: `weights[bucket * classes + k]`. */
export interface DenseModel {
  ngram: NgramSpec;
  weighting: TermWeighting;
  classes: string[];
  bias: Float32Array | Float64Array | number[];
  weights: Float32Array;
  temperature: number;
}

function encodeVarints(values: number[]): Buffer {
  const bytes: number[] = [];
  let prev = 0;
  for (const v of values) {
    let gap = v - prev;
    prev = v;
    while (gap >= 0x80) {
      bytes.push((gap & 0x7f) | 0x80);
      gap >>>= 7;
    }
    bytes.push(gap);
  }
  return Buffer.from(bytes);
}

function decodeVarints(buf: Buffer): number[] {
  const out: number[] = [];
  let prev = 0;
  let i = 0;
  while (i < buf.length) {
    let gap = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = buf[i++] ?? 0;
      gap |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80 && i < buf.length);
    prev += gap;
    out.push(prev);
  }
  return out;
}

/** Quantises dense float weights to int8 and keeps only buckets with a non-zero row. */
export function toModelJson(
  model: DenseModel,
  training?: Record<string, unknown>,
): CategoryModelJson {
  const k = model.classes.length;
  let maxAbs = 0;
  for (const w of model.weights) maxAbs = Math.max(maxAbs, Math.abs(w));
  const scale = maxAbs > 0 ? maxAbs / 127 : 1;
  const rows: number[] = [];
  const quantised: number[] = [];
  const bucketCount = 1 << model.ngram.bits;
  for (let b = 0; b < bucketCount; b++) {
    const row: number[] = [];
    let any = false;
    for (let c = 0; c < k; c++) {
      const q = Math.round((model.weights[b * k + c] ?? 0) / scale);
      row.push(q);
      if (q !== 0) any = true;
    }
    if (!any) continue;
    rows.push(b);
    quantised.push(...row);
  }
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    hash: HASH_NAME,
    ngram: { ...model.ngram },
    weighting: model.weighting,
    classes: [...model.classes],
    bias: Array.from(model.bias, (b) => Math.round(b * 1e6) / 1e6),
    temperature: Math.round(model.temperature * 1e4) / 1e4,
    weightScale: scale,
    buckets: encodeVarints(rows).toString('base64'),
    weights: Buffer.from(Int8Array.from(quantised).buffer).toString('base64'),
    ...(training ? { training } : {}),
  };
}

function fail(field: string, problem: string): never {
  throw new Error(`invalid category model: ${field} ${problem}`);
}

function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** Checks a parsed model file and names the first bad field. */
export function validateModelJson(obj: unknown): CategoryModelJson {
  if (typeof obj !== 'object' || obj === null) fail('(root)', 'must be an object');
  const m = obj as Record<string, unknown>;
  if (m.format !== MODEL_FORMAT) fail('format', `must be '${MODEL_FORMAT}'`);
  if (m.version !== MODEL_VERSION) fail('version', `must be ${MODEL_VERSION}`);
  if (m.hash !== HASH_NAME) fail('hash', `must be '${HASH_NAME}'`);
  const ngram = m.ngram as Record<string, unknown> | undefined;
  const { minN, maxN, bits } = ngram ?? {};
  if (typeof minN !== 'number' || typeof maxN !== 'number' || typeof bits !== 'number')
    fail('ngram', 'must have numeric minN, maxN, bits');
  if (!(minN >= 1 && maxN >= minN && maxN <= 5)) fail('ngram', 'needs 1 ≤ minN ≤ maxN ≤ 5');
  if (!(Number.isInteger(bits) && bits >= 8 && bits <= 24)) fail('ngram.bits', 'must be 8..24');
  if (m.weighting !== 'log' && m.weighting !== 'binary')
    fail('weighting', "must be 'log' or 'binary'");
  const classes = m.classes;
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((c) => typeof c === 'string'))
    fail('classes', 'must be at least two strings');
  if (!isNumberArray(m.bias) || m.bias.length !== classes.length)
    fail('bias', 'must be one number per class');
  if (typeof m.temperature !== 'number' || !(m.temperature > 0))
    fail('temperature', 'must be a positive number');
  if (typeof m.weightScale !== 'number' || !(m.weightScale > 0))
    fail('weightScale', 'must be a positive number');
  if (typeof m.buckets !== 'string') fail('buckets', 'must be a base64 string');
  if (typeof m.weights !== 'string') fail('weights', 'must be a base64 string');
  return m as unknown as CategoryModelJson;
}

/** Classifies matchText into a category with the weights of a model file. */
export class CategoryClassifier {
  readonly classes: readonly string[];
  private readonly k: number;
  private readonly weights: Int8Array;
  private readonly bias: Float64Array;
  private readonly scale: number;
  private readonly logits: Float64Array;
  private readonly features: FeatureVectorBuilder;

  private constructor(private readonly json: CategoryModelJson) {
    this.classes = json.classes;
    this.k = json.classes.length;
    this.bias = Float64Array.from(json.bias);
    this.scale = json.weightScale / json.temperature;
    this.logits = new Float64Array(this.k);
    this.features = new FeatureVectorBuilder(json.ngram, json.weighting);
    const rows = decodeVarints(Buffer.from(json.buckets, 'base64'));
    const packed = Buffer.from(json.weights, 'base64');
    if (packed.length !== rows.length * this.k) fail('weights', 'length does not match buckets');
    const bucketCount = 1 << json.ngram.bits;
    this.weights = new Int8Array(bucketCount * this.k);
    rows.forEach((bucket, r) => {
      if (bucket >= bucketCount) fail('buckets', `index ${bucket} out of range`);
      for (let c = 0; c < this.k; c++) {
        this.weights[bucket * this.k + c] = ((packed[r * this.k + c] ?? 0) << 24) >> 24;
      }
    });
  }

  static fromJSON(obj: unknown): CategoryClassifier {
    return new CategoryClassifier(validateModelJson(obj));
  }

  static fromFile(path: string): CategoryClassifier {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read category model ${path}: ${(err as Error).message}`);
    }
    return CategoryClassifier.fromJSON(parsed);
  }

  toJSON(): CategoryModelJson {
    return this.json;
  }

  /** Per-class logits (before temperature and softmax) for already normalised text. */
  private computeLogits(text: string): Float64Array {
    const { indices, values, length } = this.features.build(text);
    const { k, weights, logits } = this;
    logits.fill(0);
    for (let i = 0; i < length; i++) {
      const v = values[i] ?? 0;
      const base = (indices[i] ?? 0) * k;
      for (let c = 0; c < k; c++) logits[c] = (logits[c] ?? 0) + v * (weights[base + c] ?? 0);
    }
    for (let c = 0; c < k; c++) {
      logits[c] = (logits[c] ?? 0) * this.scale + (this.bias[c] ?? 0) / this.json.temperature;
    }
    return logits;
  }

  /** Index of the top class, without building the scores object (for bulk evaluation). */
  predictIndex(text: string): number {
    const logits = this.computeLogits(text);
    let best = 0;
    for (let c = 1; c < this.k; c++) if ((logits[c] ?? 0) > (logits[best] ?? 0)) best = c;
    return best;
  }

  /** `text` must already be matchText (Simplified, no punctuation), as in training. */
  classify(text: string): CategoryPrediction {
    const logits = this.computeLogits(text);
    let max = -Infinity;
    for (const l of logits) max = Math.max(max, l);
    let sum = 0;
    const probs = new Array<number>(this.k);
    for (let c = 0; c < this.k; c++) {
      const e = Math.exp((logits[c] ?? 0) - max);
      probs[c] = e;
      sum += e;
    }
    const scores: Record<string, number> = {};
    let best = 0;
    for (let c = 0; c < this.k; c++) {
      const p = (probs[c] ?? 0) / sum;
      probs[c] = p;
      scores[this.classes[c] ?? ''] = p;
      if (p > (probs[best] ?? 0)) best = c;
    }
    return { category: this.classes[best] ?? '', confidence: probs[best] ?? 0, scores };
  }
}
