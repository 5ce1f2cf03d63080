import { describe, expect, it } from 'vitest';
import { canonicalUuid, charField, dateTimeMs, dictField, parseDateTime, parseTimedelta } from './core-fields.js';

describe('parseDateTime (DRF DateTimeField, converted to UTC)', () => {
  it.each([
    ['2024-09-13T14:05:42.566123Z', '2024-09-13T14:05:42.566123+00:00'],
    ['2024-01-01 10:00:00.5+0530', '2024-01-01T04:30:00.500000+00:00'],
    ['2024-02-29T12:00', '2024-02-29T12:00:00+00:00'],
    ['9999-12-31T23:59:59+23:59', '9999-12-31T00:00:59+00:00'],
  ])('%s → %s', (raw, iso) => expect(parseDateTime(raw)).toBe(iso));
  it.each(['2023-02-29T12:00', '2024-13-01T00:00Z', '0000-01-01T00:00Z', '0001-01-01T00:00:00+01:00', 'soon', '2024-01-01T24:00'])('%s is invalid', (raw) => {
    expect(parseDateTime(raw)).toBeUndefined();
  });
  it('dateTimeMs reads the result', () => expect(dateTimeMs(parseDateTime('2024-01-01T00:00:01.999999Z')!)).toBe(Date.UTC(2024, 0, 1, 0, 0, 1, 999)));
});

describe('fields', () => {
  it('charField trims and checks blank, length, NUL', () => {
    const e: Record<string, string[]> = {};
    expect(charField(e, 'a', '  x ', { maxLength: 1 })).toBe('x');
    expect(charField(e, 'b', '   ')).toBeUndefined();
    expect(charField(e, 'c', 'xy', { maxLength: 1 })).toBeUndefined();
    expect(charField(e, 'd', 'a\u0000')).toBeUndefined();
    expect(charField(e, 'e', undefined, { required: true })).toBeUndefined();
    expect(e).toEqual({
      b: ['This field may not be blank.'], c: ['Ensure this field has no more than 1 characters.'],
      d: ['Null characters are not allowed.'], e: ['This field is required.'],
    });
  });
  it('dictField wants a jsonb-safe object', () => {
    const e: Record<string, string[]> = {};
    expect(dictField(e, 'a', { x: [1, { y: 'z' }] })).toEqual({ x: [1, { y: 'z' }] });
    expect(dictField(e, 'b', [1])).toBeUndefined();
    expect(dictField(e, 'c', { '\ud800': 1 })).toBeUndefined();
    expect(Object.keys(e)).toEqual(['b', 'c']);
  });
  it('canonicalUuid and parseTimedelta', () => {
    expect(canonicalUuid('0F8FAD5BD9CB469FA16570867728950E')).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(canonicalUuid('nope')).toBeUndefined();
    expect(parseTimedelta('days=1;hours=2')).toBe(26 * 3_600_000);
    expect(parseTimedelta('fortnights=1')).toBeUndefined();
  });
});
