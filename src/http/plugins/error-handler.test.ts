import { describe, expect, it } from 'vitest';
import { ajvToFieldErrors, pyType } from './error-handler.js';

describe('ajvToFieldErrors', () => {
  it('maps keywords to DRF messages, first error per field', () => {
    expect(ajvToFieldErrors([
      { keyword: 'required', instancePath: '', params: { missingProperty: 'name' } },
      { keyword: 'type', instancePath: '/enabled', params: { type: 'boolean' }, data: 'x' },
      { keyword: 'maxLength', instancePath: '/slug', params: { limit: 50 } },
      { keyword: 'format', instancePath: '/authentication_flow', params: { format: 'uuid' }, data: 'nope' },
      { keyword: 'type', instancePath: '', params: { type: 'object' }, data: [1] },
    ])).toEqual({
      name: ['This field is required.'],
      enabled: ['Must be a valid boolean.'],
      slug: ['Ensure this field has no more than 50 characters.'],
      authentication_flow: ['“nope” is not a valid UUID.'],
      non_field_errors: ['Invalid data. Expected a dictionary, but got list.'],
    });
  });
  it('enum unions report the invalid choice', () => {
    expect(ajvToFieldErrors([
      { keyword: 'const', instancePath: '/mode', params: { allowedValue: 'a' }, data: 'z' },
      { keyword: 'const', instancePath: '/mode', params: { allowedValue: 'b' }, data: 'z' },
      { keyword: 'anyOf', instancePath: '/mode', params: {} },
    ])).toEqual({ mode: ['"z" is not a valid choice.'] });
  });
  it('python type names', () => {
    expect([null, [], 'a', true, 1, 1.5, {}].map(pyType)).toEqual(['NoneType', 'list', 'str', 'bool', 'int', 'float', 'dict']);
  });
});
