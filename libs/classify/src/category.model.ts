/**
 * Category model: multinomial logistic regression over hashed character n-grams of matchText and,
 * optionally, its words (word.vocabulary.ts).
 *
 * File format (JSON, `format: 'petition-category-model'`, `version: 2`; version 1 is the same
 * without `words` and still loads):
 * - `hash`: n-gram hash ('fnv1a-ms-v1', see ngram.hasher.ts); `ngram`: {minN, maxN, bits}, the
 *   n-gram lengths and log2 of the bucket count; `weighting`: 'tf-len' (tf / √occurrences),
 *   'log' (1 + ln tf, L2-normalised) or 'binary' (L2-normalised); see feature.vector.ts.
 * - `words` (optional): `{maxLength, vocabulary}`, the words (space-separated) that forward
 *   maximum matching cuts the text into; each token is one more feature, hashed into the same
 *   buckets as the n-grams (with its own salt). Absent: n-grams only.
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
import { FeatureVectorBuilder, TERM_WEIGHTINGS, type TermWeighting } from './feature.vector';
import { FNV_OFFSET, FNV_PRIME, HASH_NAME, ngramBucket, type NgramSpec } from './ngram.hasher';
import { MAX_WORD_LENGTH, WordVocabulary } from './word.vocabulary';

export const MODEL_FORMAT = 'petition-category-model';
/** Version 2 added `words`; version 1 files (no words) still load. */
export const MODEL_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];

/** Word features (version 2): the vocabulary the run-time matcher cuts text into. */
export interface WordsJson {
  /** Longest word in UTF-16 units; must equal the matcher's MAX_WORD_LENGTH. */
  maxLength: number;
  /** The words, separated by single spaces (matchText never contains one). */
  vocabulary: string;
}

export interface CategoryModelJson {
  format: typeof MODEL_FORMAT;
  version: number;
  hash: string;
  ngram: NgramSpec;
  words?: WordsJson;
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
  /** Word features' vocabulary; none: character n-grams only. */
  vocabulary?: readonly string[];
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
    ...(model.vocabulary
      ? { words: { maxLength: MAX_WORD_LENGTH, vocabulary: model.vocabulary.join(' ') } }
      : {}),
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
  if (!READABLE_VERSIONS.includes(m.version as number))
    fail('version', `must be one of ${READABLE_VERSIONS.join(', ')}`);
  if (m.words !== undefined) {
    const words = m.words as Record<string, unknown> | null;
    if (m.version === 1) fail('words', 'needs version 2');
    if (typeof words !== 'object' || words === null || typeof words.vocabulary !== 'string')
      fail('words.vocabulary', 'must be a string');
    if (words.maxLength !== MAX_WORD_LENGTH) fail('words.maxLength', `must be ${MAX_WORD_LENGTH}`);
  }
  if (m.hash !== HASH_NAME) fail('hash', `must be '${HASH_NAME}'`);
  const ngram = m.ngram as Record<string, unknown> | undefined;
  const { minN, maxN, bits } = ngram ?? {};
  if (typeof minN !== 'number' || typeof maxN !== 'number' || typeof bits !== 'number')
    fail('ngram', 'must have numeric minN, maxN, bits');
  if (!(minN >= 1 && maxN >= minN && maxN <= 5)) fail('ngram', 'needs 1 ≤ minN ≤ maxN ≤ 5');
  if (!(Number.isInteger(bits) && bits >= 8 && bits <= 24)) fail('ngram.bits', 'must be 8..24');
  if (!TERM_WEIGHTINGS.includes(m.weighting as TermWeighting))
    fail('weighting', `must be one of ${TERM_WEIGHTINGS.join(', ')}`);
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

/**
 * The stored int8 weights as floats, `out[bucket * stride + c]` = int8 × weightScale /
 * temperature (so logits need no rescale); stride ≥ classes, extra lanes stay 0.
 */
export function denseWeights(json: CategoryModelJson, stride = json.classes.length): Float32Array {
  const scale = json.weightScale / json.temperature;
  return Float32Array.from(quantisedWeights(json, stride), (q) => q * scale);
}

/**
 * The stored int8 weights themselves, `out[bucket * stride + c]`: a quarter of the float table's
 * size (512 KiB for 2^16 buckets × 8 lanes), so the rows an n-gram pass touches stay in cache, and
 * integer sums are exact (the scale is applied once per class at the end).
 */
export function quantisedWeights(json: CategoryModelJson, stride: number): Int8Array {
  const k = json.classes.length;
  const rows = decodeVarints(Buffer.from(json.buckets, 'base64'));
  const packed = Buffer.from(json.weights, 'base64');
  if (packed.length !== rows.length * k) fail('weights', 'length does not match buckets');
  const bucketCount = 1 << json.ngram.bits;
  const out = new Int8Array(bucketCount * stride);
  rows.forEach((bucket, r) => {
    if (bucket >= bucketCount) fail('buckets', `index ${bucket} out of range`);
    for (let c = 0; c < k; c++) out[bucket * stride + c] = ((packed[r * k + c] ?? 0) << 24) >> 24;
  });
  return out;
}

/**
 * Rows of the in-memory weight table are padded to 8 floats (32 bytes, so a row never straddles
 * a 64-byte cache line) when there are at most 8 classes: the inner loop then adds 8 lanes
 * without a per-class loop or bounds test.
 */
const LANES = 8;

/** Classifies matchText into a category with the weights of a model file. */
export class CategoryClassifier {
  readonly classes: readonly string[];
  private readonly k: number;
  private readonly stride: number;
  /** `weights[bucket * stride + c]` = int8 × weightScale / temperature: logits need no rescale. */
  private readonly weights: Float32Array;
  /** The int8 weights padded to 8 lanes, for the streamed 'tf-len' path; `lanes` scales them. */
  private readonly lanes: Int8Array | undefined;
  private readonly laneScale: number;
  /** bias / temperature. */
  private readonly bias: Float64Array;
  private readonly logits: Float64Array;
  /** Buckets of the current text's n-grams ('tf-len' models), reused across calls. */
  private buckets = new Int32Array(4096);
  private readonly shift: number;
  private readonly minN: number;
  private readonly maxN: number;
  /** Only for 'log' and 'binary' models, which need per-bucket counts; 'tf-len' streams. */
  private readonly features: FeatureVectorBuilder | undefined;
  /** Word features' matcher (version 2 models with `words`). */
  private readonly vocabulary: WordVocabulary | null;

  private constructor(private readonly json: CategoryModelJson) {
    this.classes = json.classes;
    const k = json.classes.length;
    this.k = k;
    this.stride = k <= LANES ? LANES : k;
    this.bias = Float64Array.from(json.bias, (b) => b / json.temperature);
    this.logits = new Float64Array(this.stride);
    this.shift = 32 - json.ngram.bits;
    this.minN = json.ngram.minN;
    this.maxN = json.ngram.maxN;
    this.vocabulary = json.words ? new WordVocabulary(json.words.vocabulary.split(' ')) : null;
    this.features =
      json.weighting === 'tf-len'
        ? undefined
        : new FeatureVectorBuilder(json.ngram, json.weighting, this.vocabulary);
    const streamed = json.weighting === 'tf-len' && this.stride === LANES;
    this.lanes = streamed ? quantisedWeights(json, LANES) : undefined;
    this.laneScale = json.weightScale / json.temperature;
    this.weights = streamed ? new Float32Array(0) : denseWeights(json, this.stride);
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

  /**
   * Per-class logits, temperature applied, into the reused `this.logits`. For 'tf-len' models
   * one pass over the char codes hashes each n-gram (same hash as forEachNgramBucket, inlined)
   * into a reused buffer, then each bucket's weight row is added: no strings, no per-bucket
   * counts, no allocation (but growing the buffer for a longer text than any before).
   */
  private computeLogits(text: string): Float64Array {
    const { logits, bias, k } = this;
    if (this.features) return this.sparseLogits(text);
    const { weights, minN, maxN } = this;
    let occurrences = minN === 1 && maxN === 2 ? this.bigramBuckets(text) : this.ngramBuckets(text);
    const buckets = this.buckets;
    if (this.vocabulary)
      occurrences = this.vocabulary.writeBuckets(text, buckets, occurrences, this.shift);
    const lanes = this.lanes;
    if (lanes) {
      // Eight named accumulators stay in registers; an array would be a store per n-gram.
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0,
        a4 = 0,
        a5 = 0,
        a6 = 0,
        a7 = 0;
      for (let j = 0; j < occurrences; j++) {
        const base = (buckets[j] ?? 0) << 3;
        a0 += lanes[base] ?? 0;
        a1 += lanes[base + 1] ?? 0;
        a2 += lanes[base + 2] ?? 0;
        a3 += lanes[base + 3] ?? 0;
        a4 += lanes[base + 4] ?? 0;
        a5 += lanes[base + 5] ?? 0;
        a6 += lanes[base + 6] ?? 0;
        a7 += lanes[base + 7] ?? 0;
      }
      const scale = this.laneScale;
      logits[0] = a0 * scale;
      logits[1] = a1 * scale;
      logits[2] = a2 * scale;
      logits[3] = a3 * scale;
      logits[4] = a4 * scale;
      logits[5] = a5 * scale;
      logits[6] = a6 * scale;
      logits[7] = a7 * scale;
    } else {
      logits.fill(0);
      for (let j = 0; j < occurrences; j++) {
        const base = (buckets[j] ?? 0) * k;
        for (let c = 0; c < k; c++) logits[c] = (logits[c] ?? 0) + (weights[base + c] ?? 0);
      }
    }
    const inv = occurrences > 0 ? 1 / Math.sqrt(occurrences) : 0;
    for (let c = 0; c < k; c++) logits[c] = (logits[c] ?? 0) * inv + (bias[c] ?? 0);
    return logits;
  }

  /** `this.buckets` with room for every n-gram (and word) of a text of `len` units. */
  private bucketsFor(len: number): Int32Array {
    const needed = len * (this.maxN - this.minN + 1 + (this.vocabulary ? 1 : 0));
    if (this.buckets.length < needed) this.buckets = new Int32Array(needed * 2);
    return this.buckets;
  }

  /**
   * Buckets of the 1–2-grams of `text` into `this.buckets`; returns their count.
   * The shipped model's range, unrolled: the unigram's FNV step is the bigram's first, so each
   * unit is hashed once and there is no inner loop.
   */
  private bigramBuckets(text: string): number {
    const len = text.length;
    const buckets = this.bucketsFor(len);
    const shift = this.shift;
    let count = 0;
    let previous = 0;
    for (let i = 0; i < len; i++) {
      const h = Math.imul(FNV_OFFSET ^ text.charCodeAt(i), FNV_PRIME);
      buckets[count++] = ngramBucket(h, 1, shift);
      if (i > 0)
        buckets[count++] = ngramBucket(
          Math.imul(previous ^ text.charCodeAt(i), FNV_PRIME),
          2,
          shift,
        );
      previous = h;
    }
    return count;
  }

  /** Buckets of every minN–maxN-gram of `text` into `this.buckets`; returns their count. */
  private ngramBuckets(text: string): number {
    const len = text.length;
    const buckets = this.bucketsFor(len);
    const { shift, minN, maxN } = this;
    let count = 0;
    for (let i = 0; i < len; i++) {
      let h = FNV_OFFSET;
      const last = maxN < len - i ? maxN : len - i;
      for (let n = 1; n <= last; n++) {
        h = Math.imul(h ^ text.charCodeAt(i + n - 1), FNV_PRIME);
        if (n >= minN) buckets[count++] = ngramBucket(h, n, shift);
      }
    }
    return count;
  }

  /** 'log' and 'binary' models: the trainer's document vector, then a dot product. */
  private sparseLogits(text: string): Float64Array {
    const { indices, values, length } = (this.features as FeatureVectorBuilder).build(text);
    const { k, stride, weights, logits, bias } = this;
    for (let c = 0; c < k; c++) logits[c] = bias[c] ?? 0;
    for (let i = 0; i < length; i++) {
      const v = values[i] ?? 0;
      const base = (indices[i] ?? 0) * stride;
      for (let c = 0; c < k; c++) logits[c] = (logits[c] ?? 0) + v * (weights[base + c] ?? 0);
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

  /** Per-class logits (temperature applied) copied out, for ensembling and tests. */
  logitsOf(text: string): number[] {
    return Array.from(this.computeLogits(text).subarray(0, this.k));
  }

  /** `text` must already be matchText (Simplified, no punctuation), as in training. */
  classify(text: string): CategoryPrediction {
    const logits = this.computeLogits(text);
    const { k, classes } = this;
    let best = 0;
    for (let c = 1; c < k; c++) if ((logits[c] ?? 0) > (logits[best] ?? 0)) best = c;
    const max = logits[best] ?? 0;
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp((logits[c] ?? 0) - max);
      logits[c] = e;
      sum += e;
    }
    const scores: Record<string, number> = {};
    for (let c = 0; c < k; c++) scores[classes[c] ?? ''] = (logits[c] ?? 0) / sum;
    return { category: classes[best] ?? '', confidence: 1 / sum, scores };
  }
}
