import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import twilio from 'twilio';
import { trackingNumberFor } from '@app/contracts';

const TRACKING = /XF-[0-9A-Z]{13}/;
const MAX_BODY = 1600;

/** One webhook the load sent and what came of it. */
export interface SentItem {
  sid: string;
  /** The tracking number the gateway derives from the idempotency key (sms:twilio:<sid>). */
  expectedId: string;
  /** HTTP status, or 0 when there was no answer (connection refused/reset, timeout). */
  status: number;
  /** The tracking number in the TwiML answer, if any. */
  returnedId: string | null;
  error?: string;
}

/** Titles and texts of the public messages, read at run time (never copied into the repo). */
export function loadTexts(file: string, limit = Infinity): string[] {
  const texts: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (texts.length >= limit) break;
    if (!line.trim()) continue;
    const m = JSON.parse(line) as { title?: string; text?: string };
    const body = [m.title, m.text]
      .filter((s) => !!s?.trim())
      .join('\n')
      .slice(0, MAX_BODY);
    if (body.trim()) texts.push(body);
  }
  if (texts.length === 0) throw new Error(`no texts in ${file}`);
  return texts;
}

export interface LoadOptions {
  /** The gateway's public base URL (what Twilio signs). */
  baseUrl: string;
  token: string;
  texts: string[];
  ratePerSecond: number;
  maxInFlight: number;
  /** Keeps sending while this returns false (checked on every tick). */
  done: (elapsedMs: number) => boolean;
  /** Hard cap on the load's duration. */
  maxMs: number;
  requestTimeoutMs: number;
}

/**
 * Signed Twilio inbound-SMS webhooks at a steady rate with bounded concurrency, a unique
 * MessageSid each. Nothing is retried: a request that got no 2xx is simply not acknowledged.
 */
export async function runLoad(options: LoadOptions): Promise<SentItem[]> {
  const url = `${options.baseUrl}/channels/sms/twilio`;
  const sent: SentItem[] = [];
  const inFlight = new Set<Promise<void>>();
  const started = Date.now();
  let n = 0;
  const runId = randomBytes(8).toString('hex');

  const one = async (i: number): Promise<void> => {
    const sid = `SM${runId}${i.toString(16).padStart(16, '0')}`;
    const params: Record<string, string> = {
      ToCountry: 'CN',
      SmsMessageSid: sid,
      SmsSid: sid,
      NumMedia: '0',
      SmsStatus: 'received',
      Body: options.texts[i % options.texts.length] ?? '',
      FromCountry: 'CN',
      To: '+8613800000002',
      NumSegments: '1',
      MessageSid: sid,
      AccountSid: 'AC0123456789abcdef0123456789abcdef',
      From: `+86139${(10000000 + ((i * 7919) % 89999999)).toString()}`,
      ApiVersion: '2010-04-01',
    };
    const item: SentItem = {
      sid,
      expectedId: trackingNumberFor(`sms:twilio:${sid}`),
      status: 0,
      returnedId: null,
    };
    sent.push(item);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(options.token, url, params),
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(options.requestTimeoutMs),
      });
      const text = await res.text();
      item.status = res.status;
      item.returnedId = TRACKING.exec(text)?.[0] ?? null;
    } catch (error) {
      item.status = 0;
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      item.error = cause ?? (error instanceof Error ? error.name : String(error));
    }
  };

  for (;;) {
    const elapsed = Date.now() - started;
    if (elapsed >= options.maxMs || options.done(elapsed)) break;
    const due = Math.floor((elapsed * options.ratePerSecond) / 1000);
    while (n < due && inFlight.size < options.maxInFlight) {
      const p = one(n++).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inFlight);
  return sent;
}
