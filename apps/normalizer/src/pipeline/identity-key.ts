import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { isValidResidentId, type WrittenContacts } from '@app/identity';

export interface IdentityFacts {
  phone: string | null;
  email: string | null;
  idNumber: string | null;
  /** `<scope>:<account id>` on a web platform (board author). */
  account?: string | null;
  /** Numbers the citizen wrote in the text as their own (contactsInText). */
  written?: WrittenContacts;
}

/** The identity key and otherIdentityKeys (the event schema allows 3 of those). */
export const MAX_IDENTITY_KEYS = 4;

let cachedKey: { secret: string; key: KeyObject } | undefined;

/** The secret as a KeyObject, made once: a string secret is re-imported by every createHmac. */
function secretKey(secret: string): KeyObject {
  if (cachedKey?.secret !== secret)
    cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return cachedKey.key;
}

function keyOf(basis: string, secret: string): string {
  return createHmac('sha256', secretKey(secret)).update(basis, 'utf8').digest('hex').slice(0, 32);
}

/**
 * Keyed hashes that link the same person across channels without saying who they are, one per
 * identifier given, strongest first: a valid resident ID number, the E.164 phone, the e-mail
 * address, a web platform's account; then the ID number and phones the citizen wrote as their own
 * in the text (an e-mail's "联系电话：…" links it to the SMS from that phone). The first is the
 * petition's identity key; all of them are kept, because the hotline SMS carries only the phone
 * while the mailbox form beside it carries the ID number and that phone, and the two are one
 * person's. Without the secret (IDENTITY_KEY_SECRET) a key cannot be turned back into a phone
 * number.
 */
export function identityKeys(facts: IdentityFacts, secret: string): string[] {
  const id = facts.idNumber?.trim().toUpperCase();
  const bases: string[] = [];
  if (id && isValidResidentId(id)) bases.push(`id:${id}`);
  if (facts.phone) bases.push(`phone:${facts.phone}`);
  if (facts.email) bases.push(`email:${facts.email.toLowerCase()}`);
  if (facts.account) bases.push(`account:${facts.account}`);
  // What the channel gave comes first: the written numbers only fill the remaining places.
  for (const written of facts.written?.idNumbers ?? []) bases.push(`id:${written}`);
  for (const written of facts.written?.phones ?? []) bases.push(`phone:${written}`);
  return [...new Set(bases)].slice(0, MAX_IDENTITY_KEYS).map((basis) => keyOf(basis, secret));
}
