import { describe, expect, it } from 'vitest';
import { InvalidPage, ValidationFailed } from '../../domain/errors.js';
import type { ListParamsSpec } from '../../domain/list.js';
import { parseListQuery, parseOrdering } from './list-query.js';

const spec: ListParamsSpec = {
  filters: { user: 'int', source__slug: 'text', enabled: 'bool', mode: { enum: ['a', 'b'] }, group: 'uuid' },
  orderingFields: ['pk', 'user', 'created'],
  defaultOrdering: ['source__slug', 'pk'],
  searchable: true,
};

describe('parseListQuery', () => {
  it('defaults', () => {
    expect(parseListQuery({}, spec, 1000)).toEqual({
      page: 1, pageSize: 100, search: [], filters: {},
      ordering: [{ field: 'source__slug', desc: false }, { field: 'pk', desc: false }],
    });
  });
  it('page: positive integers and last; anything else is InvalidPage', () => {
    expect(parseListQuery({ page: '3' }, spec, 1000).page).toBe(3);
    expect(parseListQuery({ page: 'last' }, spec, 1000).page).toBe('last');
    for (const p of ['0', '-1', 'abc', '1.0', '', '99999999999999999999']) expect(() => parseListQuery({ page: p }, spec, 1000), p).toThrow(InvalidPage);
  });
  it('page_size: invalid → 100, explicit values clamped to the max', () => {
    expect(parseListQuery({ page_size: '0' }, spec, 10).pageSize).toBe(100);
    expect(parseListQuery({ page_size: 'x' }, spec, 10).pageSize).toBe(100);
    expect(parseListQuery({ page_size: '50' }, spec, 10).pageSize).toBe(10);
    expect(parseListQuery({ page_size: '5' }, spec, 10).pageSize).toBe(5);
  });
  it('search splits on whitespace and commas', () => {
    expect(parseListQuery({ search: ' a, b  c,,' }, spec, 1000).search).toEqual(['a', 'b', 'c']);
  });
  it('filters: int/uuid validated (400), bool lenient, enum strict', () => {
    expect(parseListQuery({ user: '4', enabled: 'True', source__slug: 'x' }, spec, 1000).filters).toEqual({ user: 4, enabled: true, source__slug: 'x' });
    expect(parseListQuery({ enabled: 'maybe' }, spec, 1000).filters).toEqual({});
    expect(() => parseListQuery({ user: 'x' }, spec, 1000)).toThrow(ValidationFailed);
    expect(() => parseListQuery({ group: 'not-a-uuid' }, spec, 1000)).toThrow(ValidationFailed);
    try {
      parseListQuery({ mode: 'c' }, spec, 1000);
    } catch (e) {
      expect((e as ValidationFailed).fieldErrors).toEqual({ mode: ['Select a valid choice. c is not one of the available choices.'] });
    }
  });
});

describe('parseOrdering', () => {
  it('keeps known fields in order, drops unknown and duplicates, appends pk', () => {
    expect(parseOrdering('-created,bogus,user,created', spec)).toEqual([
      { field: 'created', desc: true }, { field: 'user', desc: false }, { field: 'pk', desc: false },
    ]);
    expect(parseOrdering('-pk', spec)).toEqual([{ field: 'pk', desc: true }]);
  });
});
