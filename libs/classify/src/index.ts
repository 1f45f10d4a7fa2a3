export {
  CategoryClassifier,
  toModelJson,
  validateModelJson,
  MODEL_FORMAT,
  MODEL_VERSION,
  denseWeights,
} from './category.model';
export type { CategoryModelJson, CategoryPrediction, DenseModel } from './category.model';
export { trainCategoryModel, trainingVocabulary, DEFAULT_TRAIN_OPTIONS } from './category.trainer';
export type { LabelledText, TrainOptions, TrainResult } from './category.trainer';
export {
  CategoryPipeline,
  SUBJECT_WEIGHT,
  REVIEW_BELOW,
  probabilityMargin,
  categoryInput,
  classifyCategory,
  defaultModelPath,
  defaultRulesPath,
} from './category.pipeline';
export type { CategoryResult } from './category.pipeline';
export {
  loadCategoryRules,
  parseCategoryRules,
  matchCategoryRule,
  RulesConfigError,
} from './classify-rules.loader';
export type { CategoryRule } from './classify-rules.loader';
export {
  IntentClassifier,
  classifyIntent,
  parseIntentLexicon,
  defaultIntentsPath,
  INTENTS,
} from './intent.classifier';
export type { Intent, IntentResult, IntentLexicon } from './intent.classifier';
export { readLabelled, segmentedWords } from './labelled.reader';
export { TERM_WEIGHTINGS } from './feature.vector';
export type { TermWeighting } from './feature.vector';
export type { ReadOptions } from './labelled.reader';
export { bestReferences, nearCopies, nearDuplicateGroups, NEAR_COPY_SHARE } from './overlap.filter';
export { readTaxonomy, taxonomyDocuments } from './taxonomy.prior';
export type { TaxonomyEntry } from './taxonomy.prior';
export { forEachNgramBucket, HASH_NAME } from './ngram.hasher';
export type { NgramSpec } from './ngram.hasher';
export { WordVocabulary, MAX_WORD_LENGTH, wordHash } from './word.vocabulary';
