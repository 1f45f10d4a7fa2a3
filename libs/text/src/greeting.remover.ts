import { GREETINGS } from './greetings.lexicon';

// Greetings grouped by first code unit, in lexicon order: at each position the regex alternation
// GREETINGS.join('|') takes the first listed greeting that matches, and so does this.
const byFirstUnit = new Map<number, string[]>();
// 1 where a greeting starts, so that most positions cost one typed-array read.
const startsGreeting = new Uint8Array(0x10000);
for (const greeting of GREETINGS) {
  const first = greeting.charCodeAt(0);
  byFirstUnit.set(first, [...(byFirstUnit.get(first) ?? []), greeting]);
  startsGreeting[first] = 1;
}

/**
 * One left-to-right pass that removes greetings exactly as `s.replace(new RegExp(GREETINGS.join('|'),
 * 'g'), '')` would, without the regex engine. Returns `s` itself when there is none.
 */
export function removeGreetingsOnce(s: string): string {
  let out = '';
  let copied = 0;
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    const found =
      startsGreeting[c] === 1
        ? byFirstUnit.get(c)?.find((greeting) => s.startsWith(greeting, i))
        : undefined;
    if (found === undefined) {
      i++;
      continue;
    }
    out += s.slice(copied, i);
    i += found.length;
    copied = i;
  }
  return copied === 0 ? s : out + s.slice(copied);
}
