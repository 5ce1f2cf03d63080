/** Source rows → the wire `Source` object (spec §3.1). */
import type { SourceView } from '../../../db/repositories/sources.js';
import type { SourceWire } from './schemas.js';

/**
 * The URL authentik reports for a stored icon: null when unset or empty; verbatim when it is a URL
 * (contains `://`) or a static path; otherwise the media URL of the uploaded file.
 * Source: authentik/core/models.py Source.icon_url.
 */
export function iconUrl(stored: string | null): string | null {
  if (!stored) return null;
  if (stored.includes('://') || stored.startsWith('/static')) return stored;
  return `/media/${stored}`;
}

/** Per-kind metadata of typed sources (spec §1.1). */
export const SOURCE_META: Record<string, { component: string; verbose_name: string; verbose_name_plural: string; meta_model_name: string }> = {
  base: { component: '', verbose_name: 'source', verbose_name_plural: 'sources', meta_model_name: 'authentik_core.source' },
  oauth: { component: 'ak-source-oauth-form', verbose_name: 'OAuth Source', verbose_name_plural: 'OAuth Sources', meta_model_name: 'authentik_sources_oauth.oauthsource' },
  saml: { component: 'ak-source-saml-form', verbose_name: 'SAML Source', verbose_name_plural: 'SAML Sources', meta_model_name: 'authentik_sources_saml.samlsource' },
  plex: { component: 'ak-source-plex-form', verbose_name: 'Plex Source', verbose_name_plural: 'Plex Sources', meta_model_name: 'authentik_sources_plex.plexsource' },
  ldap: { component: 'ak-source-ldap-form', verbose_name: 'LDAP Source', verbose_name_plural: 'LDAP Sources', meta_model_name: 'authentik_sources_ldap.ldapsource' },
  kerberos: { component: 'ak-source-kerberos-form', verbose_name: 'Kerberos Source', verbose_name_plural: 'Kerberos Sources', meta_model_name: 'authentik_sources_kerberos.kerberossource' },
  scim: { component: 'ak-source-scim-form', verbose_name: 'SCIM Source', verbose_name_plural: 'SCIM Sources', meta_model_name: 'authentik_sources_scim.scimsource' },
};

/**
 * Serializes a source. `as: 'base'` gives the base view nested in connections (component "",
 * meta_model_name authentik_core.source: decisions W2); `as: 'typed'` uses the row's kind.
 */
export function serializeSource(s: SourceView, as: 'base' | 'typed' = 'base'): SourceWire {
  const meta = SOURCE_META[as === 'base' ? 'base' : (s.kind ?? 'base')];
  return {
    pk: s.pbm_uuid,
    name: s.name,
    slug: s.slug,
    enabled: s.enabled,
    authentication_flow: s.authentication_flow_id,
    enrollment_flow: s.enrollment_flow_id,
    user_property_mappings: s.user_property_mappings,
    group_property_mappings: s.group_property_mappings,
    component: meta.component,
    verbose_name: meta.verbose_name,
    verbose_name_plural: meta.verbose_name_plural,
    meta_model_name: meta.meta_model_name,
    policy_engine_mode: s.policy_engine_mode,
    user_matching_mode: s.user_matching_mode as SourceWire['user_matching_mode'],
    managed: s.managed,
    user_path_template: s.user_path_template,
    icon: iconUrl(s.icon),
  };
}
