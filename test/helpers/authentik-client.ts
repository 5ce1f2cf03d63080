/**
 * authentik's generated client (`@goauthentik/api`) wired to an in-process app: its `fetch` goes
 * through `app.inject`, so tests exercise the exact requests the client builds and the parsing it does.
 */
import { Configuration } from '@goauthentik/api';
import type { FastifyInstance } from 'fastify';

export function clientConfig(app: FastifyInstance, token: string): Configuration {
  const fetchApi = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => { headers[k] = v; });
    const res = await app.inject({
      method: (init?.method ?? 'GET') as any, url: url.pathname + url.search, headers,
      payload: typeof init?.body === 'string' ? init.body : undefined,
    });
    return new Response(res.statusCode === 204 ? null : res.body, { status: res.statusCode, headers: res.headers as Record<string, string> });
  };
  return new Configuration({ basePath: 'http://fedlink.test/api/v3', accessToken: token, fetchApi });
}
