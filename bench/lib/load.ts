import autocannon from 'autocannon';
import { Agent, request } from 'node:http';
import { acceptedIds, type BenchRequest } from './channels';

/** One channel's share of a load phase. */
export interface ChannelLoad {
  channel: string;
  url: string;
  requests: BenchRequest[];
  connections: number;
  /** Closed loop: stop after this many responses. */
  amount?: number;
  /** Fixed rate (requests/s) for `duration` seconds. */
  rate?: number;
  duration?: number;
}

export interface ChannelLoadResult {
  channel: string;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Tracking numbers the gateway returned in 2xx bodies: acknowledged as durable. */
  accepted: Set<string>;
  /** Per-response latency in ms (raw, as measured by the generator). */
  latencies: number[];
  startedAt: number;
  finishedAt: number;
  /** autocannon's own percentiles (coordinated-omission corrected when rate-limited). */
  autocannon?: { p50: number; p97_5: number; p99: number; mean: number };
}

/**
 * Runs one autocannon instance per channel at once (closed loop, as fast as the gateway answers, or
 * autocannon's fixed-rate mode). Every request is distinct: setupRequest hands out the pre-built,
 * pre-signed requests in order.
 */
export async function runAutocannon(loads: ChannelLoad[]): Promise<ChannelLoadResult[]> {
  return Promise.all(loads.map((l) => runOne(l)));
}

function runOne(load: ChannelLoad): Promise<ChannelLoadResult> {
  let next = 0;
  const accepted = new Set<string>();
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const startedAt = Date.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: load.url,
        connections: load.connections,
        ...(load.amount !== undefined ? { amount: load.amount } : { duration: load.duration }),
        ...(load.rate !== undefined ? { overallRate: load.rate } : {}),
        timeout: 30,
        requests: [
          {
            method: 'POST',
            setupRequest: () => {
              const r = load.requests[next++ % load.requests.length] as BenchRequest;
              return { method: r.method, path: r.path, headers: r.headers, body: r.body };
            },
          },
        ],
        verifyBody: (body) => {
          for (const id of acceptedIds(body)) accepted.add(id);
          return true;
        },
      },
      (error, result) => {
        if (error) return reject(error);
        for (const [code, s] of Object.entries(result.statusCodeStats ?? {}))
          statusCodes[code] = s.count;
        const ok = Object.entries(statusCodes)
          .filter(([c]) => c.startsWith('2'))
          .reduce((a, [, n]) => a + n, 0);
        resolve({
          channel: load.channel,
          sent: latencies.length + result.errors,
          ok,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
          accepted,
          latencies,
          startedAt,
          finishedAt: Date.now(),
          autocannon: {
            p50: result.latency.p50,
            p97_5: result.latency.p97_5,
            p99: result.latency.p99,
            mean: result.latency.mean,
          },
        });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      latencies.push(ms);
    });
  });
}

export interface PacedResult extends ChannelLoadResult {
  /** Latency from each request's due time to its response (ms). */
  lagged: number[];
  /** Tracking number → Date.now() when its 2xx arrived, to time its event against. */
  ackedAt: Map<string, number>;
}

/**
 * An open-loop generator at a fixed rate: request i is due at start + i/rate and is sent at its due
 * time (a 1 ms timer sends whatever is due), whatever happened to earlier ones, up to
 * `maxInFlight` open requests. `latencies` run from the actual send to the end of the response
 * (what the sender sees); `lagged` run from the due time, so generator or server stalls that delay
 * sends are charged too (no coordinated omission). Requests of all channels interleave.
 */
export async function runPaced(
  url: string,
  streams: { channel: string; requests: BenchRequest[] }[],
  rate: number,
  seconds: number,
  maxInFlight = 256,
): Promise<PacedResult[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight });
  const base = new URL(url);
  const results = streams.map((s): PacedResult => ({
    channel: s.channel,
    sent: 0,
    ok: 0,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    statusCodes: {},
    accepted: new Set<string>(),
    latencies: [],
    lagged: [],
    ackedAt: new Map(),
    startedAt: Date.now(),
    finishedAt: 0,
  }));
  const total = Math.round(rate * seconds);
  let inFlight = 0;
  const fire = (i: number, due: number): void => {
    const which = i % streams.length;
    const stream = streams[which];
    const result = results[which];
    const r = stream?.requests[Math.floor(i / streams.length) % stream.requests.length];
    if (!result || !r) return;
    result.sent++;
    inFlight++;
    const sentAt = performance.now();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      inFlight--;
    };
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: r.path,
        agent,
        headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const end = performance.now();
          const code = res.statusCode ?? 0;
          result.latencies.push(end - sentAt);
          result.lagged.push(end - due);
          result.statusCodes[code] = (result.statusCodes[code] ?? 0) + 1;
          if (code >= 200 && code < 300) {
            result.ok++;
            const at = Date.now();
            for (const id of acceptedIds(Buffer.concat(chunks).toString('utf8'))) {
              result.accepted.add(id);
              result.ackedAt.set(id, at);
            }
          } else result.non2xx++;
          finish();
        });
      },
    );
    req.setTimeout(30_000, () => {
      result.timeouts++;
      req.destroy(new Error('timeout'));
    });
    req.on('error', () => {
      result.errors++;
      finish();
    });
    req.end(r.body);
  };
  const start = performance.now();
  let issued = 0;
  // Bounded: at most `seconds` + 30 s, even if the gateway stops answering.
  const hardStop = start + (seconds + 30) * 1000;
  while ((issued < total || inFlight > 0) && performance.now() < hardStop) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (issued < due && inFlight < maxInFlight) {
      fire(issued, start + (issued * 1000) / rate);
      issued++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  agent.destroy();
  for (const r of results) r.finishedAt = Date.now();
  return results;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

export function latencySummary(latencies: number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
} {
  const s = Float64Array.from(latencies).sort();
  const arr = Array.from(s);
  return {
    n: arr.length,
    p50: percentile(arr, 50),
    p95: percentile(arr, 95),
    p99: percentile(arr, 99),
    max: arr[arr.length - 1] ?? NaN,
    mean: arr.reduce((a, b) => a + b, 0) / Math.max(1, arr.length),
  };
}
