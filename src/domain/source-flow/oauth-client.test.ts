/** Pure parts of the OAuth client: loopback detection and how provider errors map to F12 codes/statuses. */
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { SignInFailed } from './errors.js';
import { classifyProviderError, isLoopbackUrl } from './oauth-client.js';

describe('loopback hosts (plain http allowed only there)', () => {
  it.each([
    ['http://127.0.0.1:8080/x', true], ['http://127.1.2.3/', true], ['http://localhost:9000/', true], ['http://[::1]:9000/', true],
    ['http://10.0.0.1/', false], ['http://example.org/', false], ['http://127.0.0.1.example.org/', false], ['http://localhost.example/', false],
  ])('%s → %s', (url, expected) => {
    expect(isLoopbackUrl(new URL(url))).toBe(expected);
  });
});

describe('provider errors', () => {
  const bodyError = (error: string) => Object.assign(Object.create(client.ResponseBodyError.prototype), { error });
  it('invalid_grant → 400 code_rejected; other OAuth errors → 502 provider_invalid', () => {
    expect(classifyProviderError(bodyError('invalid_grant'), 'x')).toMatchObject({ code: 'code_rejected', status: 400 });
    expect(classifyProviderError(bodyError('invalid_client'), 'x')).toMatchObject({ code: 'provider_invalid', status: 502 });
  });
  it('network failures and timeouts → 502 provider_unreachable', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(classifyProviderError(refused, 'x')).toMatchObject({ code: 'provider_unreachable', status: 502 });
    expect(classifyProviderError(new DOMException('timed out', 'TimeoutError'), 'x')).toMatchObject({ code: 'provider_unreachable' });
  });
  it('anything else → 502 provider_invalid; SignInFailed passes through', () => {
    expect(classifyProviderError(new Error('weird'), 'x')).toMatchObject({ code: 'provider_invalid', status: 502 });
    const f = new SignInFailed('source_misconfigured', 'm');
    expect(classifyProviderError(f, 'x')).toBe(f);
  });
});
