import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `rhz_<id>_<secret>`: the id (12 alphanumerics) is public and locates the
 * row; the secret (32 random bytes, base64url) is shown once and stored only as its SHA-256.
 * A fast hash is right here: the secret has 256 bits of entropy, so there is nothing to brute
 * force, and checking a key must not cost a slow KDF on every request.
 */
const keyPattern = /^rhz_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{32,128})$/;
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface ParsedApiKey {
  readonly id: string;
  readonly secret: string;
}

function randomIdentifier(length: number): string {
  const bytes = randomBytes(length * 2);
  let result = '';
  for (const byte of bytes) {
    // Rejection sampling keeps every character equally likely (248 = 62 × 4).
    if (byte < 248) result += alphabet[byte % alphabet.length];
    if (result.length === length) return result;
  }
  return result + randomIdentifier(length - result.length);
}

export function generateApiKey(): { key: string; id: string; secretHash: Buffer } {
  const id = randomIdentifier(12);
  const secret = randomBytes(32).toString('base64url');
  return { key: `rhz_${id}_${secret}`, id, secretHash: hashSecret(secret) };
}

export function parseApiKey(key: string): ParsedApiKey | null {
  const match = keyPattern.exec(key);
  if (!match) return null;
  return { id: match[1]!, secret: match[2]! };
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const candidate = hashSecret(secret);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}
