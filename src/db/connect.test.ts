import { describe, expect, it } from 'vitest';
import { formatPgTimestamp } from './connect.js';

describe('formatPgTimestamp', () => {
  it('converts PostgreSQL UTC text to authentik wire form', () => {
    expect(formatPgTimestamp('2024-01-01 00:00:03+00')).toBe('2024-01-01T00:00:03Z');
    expect(formatPgTimestamp('2024-09-13 14:05:42.566123+00')).toBe('2024-09-13T14:05:42.566123Z');
    expect(formatPgTimestamp('2024-09-13 14:05:42.5+00')).toBe('2024-09-13T14:05:42.500000Z');
    expect(formatPgTimestamp('infinity')).toBe('infinity');
  });
});
