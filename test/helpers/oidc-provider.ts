/**
 * A real OpenID Connect provider (npm oidc-provider 8.x, Node 20 supported) on 127.0.0.1 for sign-in
 * tests. Accounts and their claims are set by the test; the interaction (login + consent) is
 * answered automatically for `nextAccount`, or with an error when `nextError` is set.
 * One provider per test file: `const op = await startOidcProvider({ redirectUris })`.
 */
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
// @ts-expect-error oidc-provider 8 ships no type declarations
import Provider from 'oidc-provider';

export interface AccountClaims {
  email?: string;
  email_verified?: boolean;
  name?: string;
  nickname?: string;
  preferred_username?: string;
  login?: string;
}

export interface TestOidcProvider {
  issuer: string;
  wellKnownUrl: string;
  clientId: string;
  clientSecret: string;
  /** sub → claims. */
  accounts: Map<string, AccountClaims>;
  /** Who "logs in" at the next interaction. */
  nextAccount: string | undefined;
  /** When set, the next interaction ends with this OAuth error instead of a login. */
  nextError: { error: string; error_description?: string } | undefined;
  close(): Promise<void>;
}

export async function startOidcProvider(opts: { redirectUris: string[]; clientId?: string; clientSecret?: string }): Promise<TestOidcProvider> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = opts.clientId ?? 'fedlink-test';
  const clientSecret = opts.clientSecret ?? 'fedlink-test-secret-0123456789';
  const accounts = new Map<string, AccountClaims>();

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    clients: [{
      client_id: clientId, client_secret: clientSecret, redirect_uris: opts.redirectUris,
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'nickname', 'preferred_username', 'login'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    cookies: { keys: ['oidc-test-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => {
      const claims = accounts.get(sub);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
    pkce: { required: () => true, methods: ['S256'] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  });
  provider.on('server_error', () => undefined);
  const callback = provider.callback();

  const op: TestOidcProvider = {
    issuer, wellKnownUrl: `${issuer}/.well-known/openid-configuration`, clientId, clientSecret, accounts,
    nextAccount: undefined, nextError: undefined,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  server.on('request', async (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (op.nextError) {
        const result = { ...op.nextError };
        op.nextError = undefined;
        return await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      }
      if (details.prompt.name === 'login') {
        return await provider.interactionFinished(req, res, { login: { accountId: op.nextAccount } }, { mergeWithLastSubmission: false });
      }
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const missing = details.prompt.details ?? {};
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const grantId = await grant.save();
      return await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });
  return op;
}
