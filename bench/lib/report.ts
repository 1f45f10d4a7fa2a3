/** Fixed-width table rows for stdout. */
export function table(title: string, rows: [string, string, string?][]): string {
  const w0 = Math.max(...rows.map((r) => r[0].length), 10);
  const w1 = Math.max(...rows.map((r) => r[1].length), 8);
  const line = `+${'-'.repeat(w0 + 2)}+${'-'.repeat(w1 + 2)}+`;
  const out = [`\n${title}`, line];
  for (const [k, v, note] of rows) {
    out.push(`| ${k.padEnd(w0)} | ${v.padStart(w1)} |${note ? ` ${note}` : ''}`);
  }
  out.push(line);
  return out.join('\n');
}

export const f0 = (x: number): string =>
  Number.isFinite(x) ? Math.round(x).toLocaleString('en') : 'n/a';
export const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
export const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
export const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');
export const verdict = (ok: boolean): string => (ok ? 'MET' : 'MISSED');
