// Access tokens signed outside the OAuth flow, for the Klaxon server's negative tests: expired,
// wrong audience, wrong issuer, missing groups... all signed with the IdP's real key (so they pass
// the signature check and fail exactly on the claim under test), plus forged ones (`alg: none`,
// HS256 keyed with the public key, or a throwaway key of another algorithm) as raw strings.
import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import type { SigningKey } from './keys.js';

export interface MintOptions {
  /** Lifetime from now; negative gives an already expired token. Default: the IdP's access-token TTL. */
  expiresInSeconds?: number;
  /** JOSE `typ` header. Default 'at+jwt'; '' omits the header. */
  typ?: string;
  /** Default 'ES256' (the IdP's key). 'none', 'HS256/384/512' (keyed with the public PEM) or any other JWS alg (throwaway key, same kid). */
  alg?: string;
}

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export function createTokenMinter(d: {
  issuer: string;
  resource: string;
  clientId: string;
  /** The current signing key (it changes when the provider rotates keys). */
  key: () => SigningKey;
  defaultTtlSeconds: number;
}) {
  return async function mintAccessToken(claims: Record<string, unknown>, opts: MintOptions = {}): Promise<string> {
    const key = d.key();
    const now = Math.floor(Date.now() / 1000);
    const ttl = opts.expiresInSeconds ?? d.defaultTtlSeconds;
    const payload: Record<string, unknown> = {
      iss: d.issuer,
      aud: d.resource,
      client_id: d.clientId,
      jti: randomUUID(),
      iat: ttl < 0 ? now + ttl - 60 : now,
      exp: now + ttl,
      ...claims,
    };
    const alg = opts.alg ?? 'ES256';
    const header: Record<string, unknown> = { alg, kid: key.kid };
    if (opts.typ !== '') header.typ = opts.typ ?? 'at+jwt';

    if (alg === 'ES256') {
      return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
    }
    if (alg === 'none') {
      delete header.kid;
      return `${b64url(header)}.${b64url(payload)}.`;
    }
    const hs = /^HS(256|384|512)$/.exec(alg);
    if (hs) {
      const input = `${b64url(header)}.${b64url(payload)}`;
      const sig = createHmac(`sha${hs[1]}`, key.publicPem).update(input).digest('base64url');
      return `${input}.${sig}`;
    }
    const { privateKey } = await generateKeyPair(alg);
    return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(privateKey);
  };
}
