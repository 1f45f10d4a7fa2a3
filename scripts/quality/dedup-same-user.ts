/**
 * Real people writing more than once: the corpus's messages grouped by their (anonymised) user,
 * each user's distinct messages judged in time order under one identity. No gold says which
 * later messages are the same matter, so this prints how the later ones were judged (duplicate,
 * repeat, new) and a sample of repeats made by place and matter rather than wording, for a reader
 * to check.
 */
import {
  DedupEngine,
  DEFAULT_DEDUP_OPTIONS,
  MemoryDedupStore,
  type DedupOptions,
  type MatterTagger,
} from '@app/dedup';
import type { Doc } from './dedup-corpus';

export async function sameUserQuality(
  docs: Doc[],
  options: Partial<DedupOptions>,
  matters: MatterTagger | null,
): Promise<Record<string, number>> {
  const byUser = new Map<string, Doc[]>();
  // A0… ids are the board's placeholder for users it did not record.
  for (const d of docs)
    if (d.user !== '' && !/^A0+$/u.test(d.user))
      byUser.set(d.user, [...(byUser.get(d.user) ?? []), d]);
  const engine = new DedupEngine(new MemoryDedupStore(), options, matters);
  const threshold = { ...DEFAULT_DEDUP_OPTIONS, ...options }.matterThreshold;
  const counts: Record<string, number> = { duplicate: 0, repeat: 0, repeatByPlace: 0, new: 0 };
  const sample: string[] = [];
  let users = 0;
  for (const list of byUser.values()) {
    if (list.length < 2) continue;
    users++;
    const sorted = [...list].sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1));
    const titles = new Map<string, string>();
    for (const [i, d] of sorted.entries()) {
      const v = await engine.judge({
        petitionId: d.key,
        identityKey: `user:${d.user}`,
        matchText: d.match,
        locality: d.locality,
        receivedAt: new Date(d.at),
      });
      titles.set(d.key, d.raw.split('\n')[0]?.slice(0, 30) ?? '');
      if (i === 0) continue;
      counts[v.outcome] = (counts[v.outcome] ?? 0) + 1;
      if (v.outcome === 'repeat' && (v.similarity ?? 0) < threshold) {
        counts.repeatByPlace = (counts.repeatByPlace ?? 0) + 1;
        if (sample.length < 8) sample.push(`${titles.get(d.key)}  ⇄  ${titles.get(v.of ?? '')}`);
      }
    }
  }
  const later = (counts.duplicate ?? 0) + (counts.repeat ?? 0) + (counts.new ?? 0);
  console.log(
    `\n== the same person writing again: ${users} users with ≥ 2 distinct messages, ${later} later messages judged under their user's identity`,
  );
  console.log(
    `  duplicate ${counts.duplicate}, repeat ${counts.repeat} (${counts.repeatByPlace} of them by named place and common matter, not wording), new ${counts.new}`,
  );
  for (const s of sample) console.log(`    ${s}`);
  return counts;
}
