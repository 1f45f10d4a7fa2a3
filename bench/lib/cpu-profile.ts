import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './apps';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  file: string;
  /** Wall time covered by the profile and the share of it the thread was busy (not idle). */
  seconds: number;
  busyShare: number;
  /** Self time by function, most first. */
  functions: { name: string; where: string; ms: number; share: number }[];
  /** Self time by where the code lives (a package in node_modules, a repo folder, node, gc). */
  areas: { area: string; ms: number; share: number }[];
}

function areaOf(url: string, name: string): string {
  if (name === '(garbage collector)') return '(gc)';
  if (name === '(idle)' || name === '(program)' || name === '(root)') return name;
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm) return nm[1] ?? path;
  if (path.startsWith('node:')) return `node:${path.slice(5).split('/')[0] ?? ''}`;
  const rel = relative(ROOT, path).replace(/^dist\/apps\/[^/]+\//, '');
  const m = /^(apps\/[^/]+\/src\/[^/]+|libs\/[^/]+)/.exec(rel);
  return m?.[1] ?? rel;
}

/** Self time per function and per area of a .cpuprofile (as written by --cpu-prof or inspector). */
export function summariseProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i; attribute each interval to the next sample's node.
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    const dt = deltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, dt));
  }
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    total += us;
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    const area = areaOf(url, name);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const where = url ? `${areaOf(url, name)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const entry = fn.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    fn.set(key, entry);
  }
  const busy = total - idle;
  return {
    file,
    seconds: (profile.endTime - profile.startTime) / 1e6,
    busyShare: total > 0 ? busy / total : 0,
    functions: [...fn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: f.us / 1000, share: f.us / busy })),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, us]) => ({ area, ms: us / 1000, share: us / busy })),
  };
}

export function printProfile(label: string, s: ProfileSummary, top = 15): void {
  console.log(
    `\n${label}: ${s.seconds.toFixed(1)} s profiled, busy ${(s.busyShare * 100).toFixed(0)}% of it (self time below is % of busy)`,
  );
  console.log('  by area:');
  for (const a of s.areas.slice(0, 10))
    console.log(`    ${(a.share * 100).toFixed(1).padStart(5)}%  ${a.area}`);
  console.log('  top functions:');
  for (const f of s.functions.slice(0, top))
    console.log(`    ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`);
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) printProfile(file, summariseProfile(file, 40), 30);
}
