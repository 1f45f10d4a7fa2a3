export { normalizeBody } from './body.normalizer';
export { matchText } from './match-text.normalizer';
export { toSimplified } from './simplified.converter';
export { detectScript } from './script.detector';
export type { ChineseScript } from './script.detector';
export { looksLikeHtml, stripHtml, decodeEntities } from './html.stripper';
