// The IdP's signing key: one ES256 key generated per process (nothing on disk, nothing to leak),
// shared by oidc-provider (ID tokens, JWT access tokens) and mintAccessToken (negative tests need
// tokens that verify cryptographically against the published JWKS).
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  /** Private JWK (with `d`) for oidc-provider's `jwks` option. */
  privateJwk: JWK;
  privateKey: CryptoKey;
  /** Public key as PEM (SPKI): the "secret" of the classic HS256 key-confusion attack in negative tests. */
  publicPem: string;
}

export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = `dev-es256-${(await calculateJwkThumbprint(publicJwk)).slice(0, 16)}`;
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const { KeyObject } = await import('node:crypto');
  const publicPem = KeyObject.from(publicKey).export({ type: 'spki', format: 'pem' }).toString();
  return { kid, privateJwk, privateKey, publicPem };
}
