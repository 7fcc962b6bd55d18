import { describe, expect, it } from 'vitest';
import { formatPhoneNumber } from '#common/index.js';

describe('formatPhoneNumber', () => {
  it('groups North American numbers the way people say them', () => {
    expect(formatPhoneNumber('tel:+15550100')).toBe('+1 555 0100');
    expect(formatPhoneNumber('tel:+15555550123')).toBe('+1 555 555 0123');
  });

  it('shows any other number as configured, without the tel: prefix', () => {
    expect(formatPhoneNumber('tel:+442071838750')).toBe('+442071838750');
    expect(formatPhoneNumber('+4930123456')).toBe('+4930123456');
  });
});
