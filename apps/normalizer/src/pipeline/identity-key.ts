import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { isValidResidentId } from '@app/identity';

export interface IdentityFacts {
  phone: string | null;
  email: string | null;
  idNumber: string | null;
}

let cachedKey: { secret: string; key: KeyObject } | undefined;

/** The secret as a KeyObject, made once: a string secret is re-imported by every createHmac. */
function secretKey(secret: string): KeyObject {
  if (cachedKey?.secret !== secret)
    cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return cachedKey.key;
}

/**
 * A keyed hash that links the same person across channels without saying who they are: the
 * hotline SMS and the mailbox form with the same mobile number get the same key. The strongest
 * identifier wins: a valid resident ID number, then the E.164 phone, then the e-mail address.
 * Without the secret (IDENTITY_KEY_SECRET) the key cannot be turned back into a phone number.
 */
export function identityKey(facts: IdentityFacts, secret: string): string | null {
  const id = facts.idNumber?.trim().toUpperCase();
  const basis =
    id && isValidResidentId(id)
      ? `id:${id}`
      : facts.phone
        ? `phone:${facts.phone}`
        : facts.email
          ? `email:${facts.email.toLowerCase()}`
          : null;
  if (basis === null) return null;
  return createHmac('sha256', secretKey(secret)).update(basis, 'utf8').digest('hex').slice(0, 32);
}
