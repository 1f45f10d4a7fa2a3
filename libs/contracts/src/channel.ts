/** The channel families a petition can arrive on. Providers are named per channel (e.g. sms/twilio). */
export const CHANNELS = ['sms', 'email', 'mailbox', 'board'] as const;
export type Channel = (typeof CHANNELS)[number];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}
