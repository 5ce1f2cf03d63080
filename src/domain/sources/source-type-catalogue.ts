/**
 * The creatable source kinds `GET /sources/all/types/` lists (spec §3.2), sorted by name: the concrete
 * kinds (SAML, Plex, LDAP, Kerberos, SCIM) and one entry per OAuth provider flavour (the OAuth base model
 * itself is not creatable). Pure data.
 * Source: authentik/core/api/object_types.py TypesMixin.types over the Source subclasses;
 * names and descriptions are the models' verbose names and docstrings (authentik/sources/<kind>/models.py).
 * Icons: OAuth flavours use their provider type's icon, SAML and Plex their built-in one, the others none
 * (inferred; no authentik test pins them).
 */

/** One `TypeCreate` entry. */
export interface TypeCreate {
  name: string;
  description: string;
  component: string;
  model_name: string;
  icon_url: string | null;
  requires_enterprise: boolean;
}

const OAUTH_FLAVOURS: readonly [string, string, string][] = [
  // [provider type, verbose name, docstring]
  ['github', 'GitHub OAuth Source', 'Social Login using GitHub.com or a GitHub-Enterprise Instance.'],
  ['gitlab', 'GitLab OAuth Source', 'Social Login using GitLab.com or a GitLab Instance.'],
  ['twitch', 'Twitch OAuth Source', 'Social Login using Twitch.'],
  ['mailcow', 'Mailcow OAuth Source', 'Social Login using Mailcow.'],
  ['twitter', 'Twitter OAuth Source', 'Social Login using Twitter.com'],
  ['facebook', 'Facebook OAuth Source', 'Social Login using Facebook.com.'],
  ['discord', 'Discord OAuth Source', 'Social Login using Discord.'],
  ['patreon', 'Patreon OAuth Source', 'Social Login using Patreon.'],
  ['google', 'Google OAuth Source', 'Social Login using Google or Google Workspace (GSuite).'],
  ['azuread', 'Azure AD OAuth Source', 'Social Login using Azure AD.'],
  ['openidconnect', 'OpenID OAuth Source', 'Login using a Generic OpenID-Connect compliant provider.'],
  ['apple', 'Apple OAuth Source', 'Social Login using Apple.'],
  ['okta', 'Okta OAuth Source', 'Social Login using Okta.'],
  ['reddit', 'Reddit OAuth Source', 'Social Login using reddit.com.'],
];

/** Built-in icon path of an OAuth provider type (authentik's `static("authentik/sources/<type>.svg")`). */
export function providerTypeIcon(providerType: string): string {
  return `/static/authentik/sources/${providerType}.svg`;
}

const ENTRIES: TypeCreate[] = [
  ...OAUTH_FLAVOURS.map(([type, name, description]) => ({
    name, description, component: 'ak-source-oauth-form', model_name: `${type}oauthsource`,
    icon_url: providerTypeIcon(type), requires_enterprise: false,
  })),
  { name: 'SAML Source', description: 'Authenticate using an external SAML Identity Provider.', component: 'ak-source-saml-form', model_name: 'samlsource', icon_url: '/static/authentik/sources/saml.png', requires_enterprise: false },
  { name: 'Plex Source', description: 'Authenticate against plex.tv', component: 'ak-source-plex-form', model_name: 'plexsource', icon_url: '/static/authentik/sources/plex.svg', requires_enterprise: false },
  { name: 'LDAP Source', description: 'Federate LDAP Directory with authentik, or create new accounts in LDAP.', component: 'ak-source-ldap-form', model_name: 'ldapsource', icon_url: null, requires_enterprise: false },
  { name: 'Kerberos Source', description: 'Federate Kerberos realm with authentik', component: 'ak-source-kerberos-form', model_name: 'kerberossource', icon_url: null, requires_enterprise: false },
  {
    name: 'SCIM Source', description: 'System for Cross-domain Identity Management Source, allows for\n    cross-system user provisioning',
    component: 'ak-source-scim-form', model_name: 'scimsource', icon_url: null, requires_enterprise: false,
  },
];

/** Every creatable kind, sorted by name (code-point order, as Python's `sorted`). */
export const SOURCE_TYPE_CATALOGUE: readonly TypeCreate[] = [...ENTRIES].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
