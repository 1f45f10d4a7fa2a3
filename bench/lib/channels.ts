import { createHash, createHmac } from 'node:crypto';
import twilio from 'twilio';

/** One public message from ../shared/data (read at run time, never copied into the repository). */
export interface Message {
  id: string;
  title: string;
  text: string;
}

/** A fully built HTTP request: signed, unique, ready to hand to the load generator. */
export interface BenchRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Secrets and settings every channel needs from the gateway; all local benchmark values. */
export interface BenchSecrets {
  twilioToken: string;
  smsGatewayId: string;
  smsGatewaySecret: string;
  boardKey: string;
}

export const BENCH_SECRETS: BenchSecrets = {
  twilioToken: 'bench-twilio-auth-token',
  smsGatewayId: 'zhongxian-modem-pool',
  smsGatewaySecret: 'bench-sms-gateway-secret-0123456789',
  // The local-development scraper key whose SHA-256 config/channels.yaml carries.
  boardKey: 'local-dev-board-key-not-for-production',
};

/** Extra gateway environment the channels below rely on. */
export function channelGatewayEnv(secrets: BenchSecrets): Record<string, string> {
  return {
    TWILIO_AUTH_TOKEN: secrets.twilioToken,
    SMS_GATEWAY_ZHONGXIAN_SECRET: secrets.smsGatewaySecret,
  };
}

export interface BuildContext {
  /** e.g. http://127.0.0.1:3100: what the gateway rebuilds from PUBLIC_BASE_URL. */
  baseUrl: string;
  /** Unique per benchmark run and phase, so idempotency keys never repeat across phases. */
  runId: string;
  secrets: BenchSecrets;
  /** Unix seconds at build time (SMS gateway replay window). */
  nowSeconds: number;
}

/**
 * One HTTP channel: how to turn the n-th message of a phase into a request. Adding a channel to the
 * benchmark is one more entry in CHANNELS.
 */
export interface ChannelSpec {
  name: string;
  path: string;
  build(message: Message, seq: number, ctx: BuildContext): BenchRequest;
}

const HOTLINES = ['+8613800000001', '+8613800000002', '+8613800000003'];
const BOARDS = ['people-cq-party-secretary', 'people-cq-mayor', 'fengjie-wlwz'];

/** A plausible Chinese mobile number per sender; 50,000 distinct senders in rotation. */
function sender(seq: number): string {
  return `+86139${String(10_000_000 + (seq % 50_000)).padStart(8, '0')}`;
}

function hex32(seed: string): string {
  return createHash('md5').update(seed).digest('hex');
}

function smsText(m: Message, max: number): string {
  const text = m.title ? `${m.title}\n${m.text}` : m.text;
  return Array.from(text).slice(0, max).join('');
}

const twilioSms: ChannelSpec = {
  name: 'sms/twilio',
  path: '/channels/sms/twilio',
  build(m, seq, ctx) {
    const sid = `SM${hex32(`${ctx.runId}:${seq}`)}`;
    const params: Record<string, string> = {
      ToCountry: 'CN',
      SmsMessageSid: sid,
      NumMedia: '0',
      SmsSid: sid,
      SmsStatus: 'received',
      // Twilio joins at most 10 segments (1,600 characters) into one inbound message.
      Body: smsText(m, 1600),
      FromCountry: 'CN',
      To: HOTLINES[seq % HOTLINES.length] ?? '',
      NumSegments: '1',
      MessageSid: sid,
      AccountSid: 'AC0123456789abcdef0123456789abcdef',
      From: sender(seq),
      ApiVersion: '2010-04-01',
    };
    const url = `${ctx.baseUrl}${this.path}`;
    return {
      method: 'POST',
      path: this.path,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(
          ctx.secrets.twilioToken,
          url,
          params,
        ),
      },
      body: new URLSearchParams(params).toString(),
    };
  },
};

const smsGateway: ChannelSpec = {
  name: 'sms/gateway',
  path: '/channels/sms/gateway',
  build(m, seq, ctx) {
    const body = JSON.stringify({
      id: `${ctx.runId}-${seq}`,
      from: sender(seq),
      to: HOTLINES[seq % HOTLINES.length],
      text: smsText(m, 17_000),
      receivedAt: ctx.nowSeconds,
    });
    const timestamp = String(ctx.nowSeconds);
    const signature = createHmac('sha256', ctx.secrets.smsGatewaySecret)
      .update(`${timestamp}.`)
      .update(body)
      .digest('hex');
    return {
      method: 'POST',
      path: this.path,
      headers: {
        'content-type': 'application/json',
        'x-gateway-id': ctx.secrets.smsGatewayId,
        'x-timestamp': timestamp,
        'x-signature': `sha256=${signature}`,
      },
      body,
    };
  },
};

const boardPosts: ChannelSpec = {
  name: 'board/posts',
  path: '/channels/board/posts',
  build(m, seq, ctx) {
    const board = BOARDS[seq % BOARDS.length] ?? '';
    const postId = `${ctx.runId}-${seq}`;
    const body = JSON.stringify({
      posts: [
        {
          board,
          postId,
          url: `https://liuyan.example.cn/${board}/${postId}`,
          title: m.title || Array.from(m.text).slice(0, 20).join(''),
          content: m.text,
          author: `网友${seq % 50_000}`,
          postedAt: new Date(ctx.nowSeconds * 1000).toISOString(),
        },
      ],
    });
    return {
      method: 'POST',
      path: this.path,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${ctx.secrets.boardKey}`,
      },
      body,
    };
  },
};

/**
 * Every HTTP channel the benchmark knows. Channels whose route is not mounted (or refuses the
 * probe) in the build under test are reported and left out of the run.
 */
export const CHANNELS: ChannelSpec[] = [twilioSms, smsGateway, boardPosts];

/** Tracking numbers (XF-…) in a response body: what the gateway acknowledged as durable. */
export function acceptedIds(body: string): string[] {
  return body.match(/XF-[23456789ABCDEFGHJKMNPQRSTVWXY]{13}/g) ?? [];
}
