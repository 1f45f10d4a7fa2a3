import { PRIORITIES } from './urgency.config';
import type { Priority, UrgencyLexicon } from './urgency.config';

export interface Urgency {
  readonly priority: Priority;
  /** Ids of the flags found, in lexicon order. */
  readonly flags: readonly string[];
}

/**
 * Flags alarming content (急事急办) and derives a priority: the highest priority of any flag
 * found, `normal` when none.
 *
 * Limits, by design of a dictionary scan: negation is only recognised when a configured cue
 * ends exactly where a term starts ("没有安全隐患", "无疫情"), and only for flags marked
 * `negatable`; "隐患没有了", "并不存在任何安全隐患" or irony are not understood. Life, self-harm
 * and violence flags are not negatable in the shipped lexicon: a false alarm costs a reader a
 * minute, a missed one can cost more.
 */
export function assessUrgency(text: string, lexicon: UrgencyLexicon): Urgency {
  const hits = lexicon.automaton.scan(text);
  const { flags } = lexicon.config;
  const found = new Array<boolean>(flags.length).fill(false);
  let rank = 0;
  hits.forEach((hit, i) => {
    const mark = hit.payload;
    if (typeof mark !== 'number') return;
    const flag = flags[mark];
    if (flag === undefined) return;
    const before = hits[i - 1];
    if (
      flag.negatable &&
      before !== undefined &&
      before.payload === 'negation' &&
      before.end === hit.start
    )
      return;
    found[mark] = true;
    rank = Math.max(rank, PRIORITIES.indexOf(flag.priority));
  });
  return {
    priority: PRIORITIES[rank] ?? 'normal',
    flags: flags.filter((_, i) => found[i]).map((flag) => flag.id),
  };
}
