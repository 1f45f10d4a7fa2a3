/**
 * GB 11643-1999 resident identity number: 17 digits and a check character (0-9 or X) computed
 * with ISO 7064 MOD 11-2. Also checks that the birth date is a real calendar date.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? '';
}

export type ResidentIdProblem = 'format' | 'birth-date' | 'check-digit';

/** null when valid, otherwise what is wrong with it. */
export function residentIdProblem(raw: string): ResidentIdProblem | null {
  const id = raw.normalize('NFKC').trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return 'format';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  const valid =
    y >= 1880 &&
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === m - 1 &&
    date.getUTCDate() === d &&
    date.getTime() <= Date.now();
  if (!valid) return 'birth-date';
  return residentIdCheckChar(id.slice(0, 17)) === id[17] ? null : 'check-digit';
}

export function isValidResidentId(raw: string): boolean {
  return residentIdProblem(raw) === null;
}
