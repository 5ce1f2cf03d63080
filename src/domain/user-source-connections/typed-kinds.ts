/**
 * What differs between the typed user-connection endpoints `/sources/user_connections/<kind>/`
 * (spec §6): the model behind each kind, its list parameters, its write-only secret and whether
 * `user` stays writable after creation. Pure data: no I/O.
 * Source: authentik/sources/{oauth,saml,plex,kerberos}/api/source_connection.py (2024.8).
 */
import type { ConnectionKind } from '../../db/repositories/user-source-connections.js';
import type { ListParamsSpec } from '../list.js';
import { perm } from '../permissions.js';

/** A write-only secret of a connection kind, stored encrypted in a typed-table column (decisions F9). */
export interface ConnectionSecret {
  /** Wire name, e.g. `access_token`. */
  field: 'access_token' | 'plex_token';
  /** Typed-table column holding the ciphertext. */
  column: 'access_token_encrypted' | 'plex_token_encrypted';
  /** Required on create and PUT (Plex) or optional (OAuth). */
  required: boolean;
  /** `null` and `""` clear the stored value (OAuth: authentik stores `access_token or None`). */
  clearable: boolean;
}

/** One typed connection kind. */
export interface TypedConnectionKind {
  kind: ConnectionKind;
  /** authentik app label, e.g. `authentik_sources_oauth`. */
  app: string;
  /** authentik model name, e.g. `useroauthsourceconnection`. */
  model: string;
  listSpec: ListParamsSpec;
  secret?: ConnectionSecret;
  /** Kerberos: `user` is writable on PUT/PATCH (and required on PUT). */
  userWritable: boolean;
  /** Permission codenames that matter: `add_` to name another user (F1), `change_` to re-key (F3). */
  perms: { add: string; change: string };
}

const ORDERING = ['pk', 'user', 'source', 'created', 'identifier'] as const;

function kind(k: Omit<TypedConnectionKind, 'perms'>): TypedConnectionKind {
  return { ...k, perms: { add: perm(k.app, 'add', k.model), change: perm(k.app, 'change', k.model) } };
}

export const OAUTH_CONNECTION: TypedConnectionKind = kind({
  kind: 'oauth', app: 'authentik_sources_oauth', model: 'useroauthsourceconnection',
  listSpec: { filters: { user: 'int', source__slug: 'text' }, orderingFields: ORDERING, defaultOrdering: ['source__slug', 'pk'], searchable: true },
  secret: { field: 'access_token', column: 'access_token_encrypted', required: false, clearable: true },
  userWritable: false,
});

export const SAML_CONNECTION: TypedConnectionKind = kind({
  kind: 'saml', app: 'authentik_sources_saml', model: 'usersamlsourceconnection',
  listSpec: { filters: { user: 'int', source__slug: 'text' }, orderingFields: ORDERING, defaultOrdering: ['source__slug', 'pk'], searchable: true },
  userWritable: false,
});

export const PLEX_CONNECTION: TypedConnectionKind = kind({
  kind: 'plex', app: 'authentik_sources_plex', model: 'userplexsourceconnection',
  listSpec: { filters: { user: 'int', source__slug: 'text' }, orderingFields: ORDERING, defaultOrdering: ['source__slug', 'pk'], searchable: true },
  secret: { field: 'plex_token', column: 'plex_token_encrypted', required: true, clearable: false },
  userWritable: false,
});

/** Kerberos: no `user` filter, default ordering `source__slug` only (the list appends `pk` as tie-breaker). */
export const KERBEROS_CONNECTION: TypedConnectionKind = kind({
  kind: 'kerberos', app: 'authentik_sources_kerberos', model: 'userkerberossourceconnection',
  listSpec: { filters: { source__slug: 'text' }, orderingFields: ORDERING, defaultOrdering: ['source__slug'], searchable: true },
  userWritable: true,
});

export const TYPED_CONNECTION_KINDS: Record<ConnectionKind, TypedConnectionKind> = {
  oauth: OAUTH_CONNECTION, saml: SAML_CONNECTION, plex: PLEX_CONNECTION, kerberos: KERBEROS_CONNECTION,
};
