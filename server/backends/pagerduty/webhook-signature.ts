import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * PagerDuty v3 webhook signatures (docs/pagerduty.md#webhooks-v3): `X-PagerDuty-Signature` holds one
 * or more comma-separated `v1=<hex HMAC-SHA256 of the raw body>`, one per secret of the subscription
 * while a secret is being rotated. A delivery is PagerDuty's when any of them matches any secret
 * Klaxon holds (`pagerduty.webhookSecrets`, also several during a rotation). Compared in constant time.
 */
export function validPagerDutySignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
): boolean {
  if (!header || secrets.length === 0) return false;
  const given = header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => Buffer.from(s.slice(3)));
  return secrets.some((secret) => {
    const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'));
    return given.some((g) => g.length === expected.length && timingSafeEqual(g, expected));
  });
}
