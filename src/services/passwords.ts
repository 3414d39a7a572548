import crypto from 'node:crypto';

/** crypto.scrypt as a promise, looked up at each call so a test can count the hashes computed. */
function scrypt(password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    crypto.scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * scrypt with N = 2^14, r = 8, p = 1 (16 MiB of memory per hash; about 0.1 s of one core
 * on a small server), a 64-byte key and a 16-byte random salt: the scrypt paper's setting
 * for interactive logins and Node's default. It makes each offline guess cost that memory
 * and time while a sign-in stays quick on two cores. OWASP now suggests N = 2^17, some
 * ten times the cost; the parameters are stored with each hash, so they can be raised
 * later (hashes made since then use the new ones) without breaking existing passwords.
 */
export const SCRYPT_PARAMS = { N: 16384, r: 8, p: 1 } as const;
export const SCRYPT_KEYLEN = 64;
export const SCRYPT_SALT_BYTES = 16;
const PARAMS = SCRYPT_PARAMS;
const KEYLEN = SCRYPT_KEYLEN;

/** Stored as scrypt$N$r$p$salt$hash so the parameters can be raised later without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(SCRYPT_SALT_BYTES);
  const hash = await scrypt(password, salt, KEYLEN, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) {
    // An account whose hash is not one (blanked to bar it, say) costs the same work as any other.
    await verifyPassword(password, await decoyHash);
    return false;
  }
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return crypto.timingSafeEqual(actual, expected);
}

/** A hash to check against when the email is unknown, so both cases take the same time. */
export const decoyHash = hashPassword(crypto.randomBytes(16).toString('hex'));

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
