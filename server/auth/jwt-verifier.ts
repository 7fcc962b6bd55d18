import * as jose from 'jose';
import type { Logger } from '../runtime/logger.js';
import { ProviderKeys, ProviderKeysUnavailable } from './provider-keys.js';

/** Why a token was refused; also the `reason` label of the auth-failure metric. */
export type TokenFailureReason =
  | 'missing_token'
  | 'malformed'
  | 'expired'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'wrong_type'
  | 'alg_not_allowed'
  | 'bad_signature'
  | 'unknown_key'
  | 'missing_claim'
  | 'issued_in_future'
  | 'lifetime_too_long'
  | 'issuer_unreachable'
  | 'invalid_token';

export class TokenError extends Error {
  constructor(
    readonly reason: TokenFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

export interface VerifierOptions {
  issuer: string;
  audience: string;
  algorithms: string[];
  /** Seconds of clock skew tolerated on exp/nbf/iat. */
  clockToleranceSeconds?: number;
  /** Longest lifetime (`exp − iat`) of a token Klaxon accepts (`oidc.maxTokenLifetimeSeconds`). Default one day. */
  maxLifetimeSeconds?: number;
  /** Where configuration mistakes found at discovery are reported (e.g. an issuer mismatch). */
  logger?: Logger;
}

/** The operator-facing explanation when the configured issuer is not the provider's own. */
function issuerMismatchMessage(configured: string, discovered: string): string {
  return `oidc.issuer "${configured}" differs from the provider's issuer "${discovered}"; set oidc.issuer to "${discovered}" (every token is refused as "wrong issuer" until then).`;
}

/**
 * Verifies OAuth access tokens (RFC 9068 JWTs) from the organisation's provider. The JWKS is
 * discovered once from the issuer's metadata and its keys kept by ProviderKeys (provider-keys.ts:
 * an unknown `kid` fetches them again, at most once per 2 s for everyone, so key rotation needs no
 * restart and strangers cannot lock real users out or hammer the provider).
 */
export class JwtVerifier {
  private keys: ProviderKeys | null = null;
  private discovering: Promise<ProviderKeys> | null = null;
  /** Set when the provider's discovery document names another issuer than `oidc.issuer`. */
  private mismatch: { discovered: string; message: string } | null = null;

  constructor(private readonly opts: VerifierOptions) {}

  private get toleranceSeconds(): number {
    return this.opts.clockToleranceSeconds ?? 30;
  }

  private async keySet(): Promise<ProviderKeys> {
    if (this.keys) return this.keys;
    this.discovering ??= (async () => {
      const url = new URL(
        '.well-known/openid-configuration',
        this.opts.issuer.endsWith('/') ? this.opts.issuer : `${this.opts.issuer}/`,
      );
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw new Error(`${url.href} answered ${res.status}`);
      const meta = (await res.json()) as { jwks_uri?: unknown; issuer?: unknown };
      if (typeof meta.jwks_uri !== 'string') throw new Error(`${url.href} has no jwks_uri`);
      // Tokens carry the provider's exact issuer string, so a near miss (a trailing slash) refuses
      // every sign-in; say which value to configure instead of leaving only "wrong issuer" errors.
      if (typeof meta.issuer === 'string' && meta.issuer !== this.opts.issuer) {
        this.mismatch = { discovered: meta.issuer, message: issuerMismatchMessage(this.opts.issuer, meta.issuer) };
        this.opts.logger?.error(
          { configured: this.opts.issuer, discovered: meta.issuer, key: 'oidc.issuer' },
          issuerMismatchMessage(this.opts.issuer, meta.issuer),
        );
      }
      this.keys = new ProviderKeys({
        jwksUri: new URL(meta.jwks_uri),
        mayRefetchFor: (header, token) => this.couldBeValid(header, token),
      });
      return this.keys;
    })().finally(() => {
      this.discovering = null;
    });
    return this.discovering;
  }

  /**
   * Reads the provider's discovery document now (at start): the issuer it names when that is not
   * the configured one, else null. Throws when the provider cannot be reached.
   */
  async discoveredIssuerMismatch(): Promise<string | null> {
    await this.keySet();
    return this.mismatch?.discovered ?? null;
  }

  /** For /readyz: not ready while the configured issuer is not the provider's (every token would be refused). */
  status(): { ok: boolean; error: string | null } {
    return this.mismatch ? { ok: false, error: this.mismatch.message } : { ok: true, error: null };
  }

  /**
   * Whether a token could pass every check but the signature (read without verifying): only such a
   * token may make the provider's keys be fetched again for its unknown key id.
   */
  private couldBeValid(header: jose.JWSHeaderParameters, token: jose.FlattenedJWSInput): boolean {
    let claims: jose.JWTPayload;
    try {
      claims = JSON.parse(Buffer.from(String(token.payload), 'base64url').toString('utf8')) as jose.JWTPayload;
    } catch {
      return false;
    }
    const now = Date.now() / 1000;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    return (
      typeof header.alg === 'string' &&
      this.opts.algorithms.includes(header.alg) &&
      /^(application\/)?at\+jwt$/i.test(header.typ ?? '') &&
      claims.iss === this.opts.issuer &&
      aud.includes(this.opts.audience) &&
      typeof claims.exp === 'number' &&
      claims.exp > now - this.toleranceSeconds &&
      typeof claims.iat === 'number' &&
      claims.iat <= now + this.toleranceSeconds
    );
  }

  async verify(token: string): Promise<jose.JWTPayload> {
    let keys: ProviderKeys;
    try {
      keys = await this.keySet();
    } catch (e) {
      throw new TokenError(
        'issuer_unreachable',
        `The sign-in provider could not be reached to check your token (${(e as Error).message}). Try again shortly.`,
      );
    }
    const tolerance = this.toleranceSeconds;
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, keys.resolve, {
        issuer: this.opts.issuer,
        audience: this.opts.audience,
        algorithms: this.opts.algorithms,
        typ: 'at+jwt',
        clockTolerance: tolerance,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (e) {
      throw toTokenError(e);
    }
    checkLifetime(payload, tolerance, this.opts.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS);
    return payload;
  }
}

const DEFAULT_MAX_LIFETIME_SECONDS = 86_400;

/**
 * jose checks `iat` only against a maximum token age, which Klaxon does not set (`exp` bounds the
 * age). A token "issued" in the future, or valid for longer than any provider issues access tokens,
 * was made with a wrong clock or outside the provider's normal issuance (a stolen signing key
 * would mint exactly such long-lived tokens), so both are refused.
 */
function checkLifetime(payload: jose.JWTPayload, toleranceSeconds: number, maxLifetimeSeconds: number): void {
  const iat = payload.iat!;
  const exp = payload.exp!;
  if (iat > Date.now() / 1000 + toleranceSeconds)
    throw new TokenError(
      'issued_in_future',
      'The access token says it was issued in the future; the clocks of the sign-in provider and the Klaxon server disagree. Tell the Klaxon operator.',
    );
  if (exp - iat > maxLifetimeSeconds)
    throw new TokenError(
      'lifetime_too_long',
      `The access token is valid for ${exp - iat} s; Klaxon accepts at most ${maxLifetimeSeconds} s. Ask the Klaxon operator to check the sign-in provider's access-token lifetime.`,
    );
}

function toTokenError(e: unknown): TokenError {
  if (e instanceof jose.errors.JWTExpired)
    return new TokenError('expired', 'The access token has expired; sign in again.');
  if (e instanceof jose.errors.JWTClaimValidationFailed) {
    if (e.claim === 'aud')
      return new TokenError('wrong_audience', 'The access token was not issued for Klaxon (wrong audience).');
    if (e.claim === 'iss')
      return new TokenError('wrong_issuer', 'The access token comes from a different sign-in provider (wrong issuer).');
    if (e.claim === 'typ')
      return new TokenError(
        'wrong_type',
        'This is not an access token (expected typ at+jwt); an ID token cannot be used here.',
      );
    if (e.reason === 'missing')
      return new TokenError('missing_claim', `The access token lacks the "${e.claim}" claim.`);
    return new TokenError('invalid_token', `The access token's "${e.claim}" claim is not valid.`);
  }
  if (e instanceof jose.errors.JOSEAlgNotAllowed)
    return new TokenError('alg_not_allowed', 'The access token is signed with an algorithm Klaxon does not accept.');
  if (e instanceof jose.errors.JWSSignatureVerificationFailed)
    return new TokenError('bad_signature', 'The access token signature is not valid.');
  if (e instanceof jose.errors.JWKSNoMatchingKey)
    return new TokenError(
      'unknown_key',
      'The access token is signed with a key the sign-in provider does not publish.',
    );
  if (e instanceof ProviderKeysUnavailable)
    return new TokenError(
      'issuer_unreachable',
      `The sign-in provider's keys could not be fetched to check your token (${e.message}). Try again shortly.`,
    );
  if (
    e instanceof jose.errors.JWSInvalid ||
    e instanceof jose.errors.JWTInvalid ||
    e instanceof jose.errors.JOSENotSupported
  ) {
    return new TokenError('malformed', 'The access token is malformed.');
  }
  return new TokenError('invalid_token', 'The access token could not be verified.');
}
