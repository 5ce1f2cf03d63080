/**
 * Creates the typed tables of the SAML, Plex, LDAP, Kerberos and SCIM sources (spec §4.2–§4.6) and the
 * SCIM source's provisioned users and groups (spec §8.2). Each typed table shares the pk of its `source`
 * row and goes with it (ON DELETE CASCADE). Secrets (Plex token, LDAP bind password, Kerberos passwords
 * and keytabs) are stored AES-GCM sealed in `*_encrypted` columns (decisions F9).
 *
 * Two integrity rules live in the schema so racing writes cannot break them:
 * - at most one LDAP source synchronises passwords (partial unique index `ldap_source_password_sync_key`);
 * - Kerberos realms are unique (`kerberos_source_realm_key`, authentik's `unique=True`).
 *
 * Why a trigger: a SAML source's `pre_authentication_flow` cascades (deleting the flow deletes the source,
 * as in authentik). The FK sits on the typed row, so without help that cascade would leave the base
 * `source` row behind as an orphan of kind 'saml'; `saml_source_delete_base` removes it. Plain PL/pgSQL,
 * no extension.
 *
 * Certificate key pairs do not exist in Fedlink (docs/decisions.md S3), so the SAML `*_kp` and LDAP
 * certificate fields have no columns: they are always null.
 *
 * Reversible: `down` drops everything this created.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE saml_source (
      source_id uuid PRIMARY KEY REFERENCES source(pbm_uuid) ON DELETE CASCADE,
      pre_authentication_flow_id uuid NOT NULL REFERENCES flow(flow_uuid) ON DELETE CASCADE,
      issuer text NOT NULL DEFAULT '',
      sso_url text NOT NULL,
      slo_url text,
      allow_idp_initiated boolean NOT NULL DEFAULT false,
      name_id_policy text NOT NULL DEFAULT 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      binding_type text NOT NULL DEFAULT 'REDIRECT',
      digest_algorithm text NOT NULL DEFAULT 'http://www.w3.org/2001/04/xmlenc#sha256',
      signature_algorithm text NOT NULL DEFAULT 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      temporary_user_delete_after text NOT NULL DEFAULT 'days=1'
    );
    CREATE INDEX saml_source_pre_authentication_flow_idx ON saml_source (pre_authentication_flow_id);
    CREATE FUNCTION saml_source_delete_base() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM source WHERE pbm_uuid = OLD.source_id;
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER saml_source_delete_base AFTER DELETE ON saml_source
      FOR EACH ROW EXECUTE FUNCTION saml_source_delete_base();

    CREATE TABLE plex_source (
      source_id uuid PRIMARY KEY REFERENCES source(pbm_uuid) ON DELETE CASCADE,
      client_id text NOT NULL,
      allowed_servers text[] NOT NULL DEFAULT '{}',
      allow_friends boolean NOT NULL DEFAULT true,
      plex_token_encrypted text NOT NULL
    );

    CREATE TABLE ldap_source (
      source_id uuid PRIMARY KEY REFERENCES source(pbm_uuid) ON DELETE CASCADE,
      server_uri text NOT NULL,
      bind_cn text NOT NULL DEFAULT '',
      bind_password_encrypted text,
      start_tls boolean NOT NULL DEFAULT false,
      sni boolean NOT NULL DEFAULT false,
      base_dn text NOT NULL,
      additional_user_dn text NOT NULL DEFAULT '',
      additional_group_dn text NOT NULL DEFAULT '',
      user_object_filter text NOT NULL DEFAULT '(objectClass=person)',
      group_object_filter text NOT NULL DEFAULT '(objectClass=group)',
      group_membership_field text NOT NULL DEFAULT 'member',
      object_uniqueness_field text NOT NULL DEFAULT 'objectSid',
      password_login_update_internal_password boolean NOT NULL DEFAULT false,
      sync_users boolean NOT NULL DEFAULT true,
      sync_users_password boolean NOT NULL DEFAULT true,
      sync_groups boolean NOT NULL DEFAULT true,
      sync_parent_group_id uuid REFERENCES "group"(group_uuid) ON DELETE SET NULL
    );
    CREATE UNIQUE INDEX ldap_source_password_sync_key ON ldap_source ((true)) WHERE sync_users_password;

    CREATE TABLE kerberos_source (
      source_id uuid PRIMARY KEY REFERENCES source(pbm_uuid) ON DELETE CASCADE,
      realm text NOT NULL,
      krb5_conf text NOT NULL DEFAULT '',
      sync_users boolean NOT NULL DEFAULT false,
      sync_users_password boolean NOT NULL DEFAULT true,
      sync_principal text NOT NULL DEFAULT '',
      sync_password_encrypted text,
      sync_keytab_encrypted text,
      sync_ccache text NOT NULL DEFAULT '',
      spnego_server_name text NOT NULL DEFAULT '',
      spnego_keytab_encrypted text,
      spnego_ccache text NOT NULL DEFAULT '',
      password_login_update_internal_password boolean NOT NULL DEFAULT false,
      CONSTRAINT kerberos_source_realm_key UNIQUE (realm)
    );

    CREATE TABLE scim_source (
      source_id uuid PRIMARY KEY REFERENCES source(pbm_uuid) ON DELETE CASCADE,
      token_id uuid REFERENCES token(token_uuid) ON DELETE SET NULL
    );
    CREATE TABLE scim_source_user (
      id text PRIMARY KEY,
      user_id integer NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
      source_id uuid NOT NULL REFERENCES scim_source(source_id) ON DELETE CASCADE,
      attributes jsonb DEFAULT '{}'::jsonb
    );
    CREATE INDEX scim_source_user_source_idx ON scim_source_user (source_id);
    CREATE INDEX scim_source_user_user_idx ON scim_source_user (user_id);
    CREATE TABLE scim_source_group (
      id text PRIMARY KEY,
      group_uuid uuid NOT NULL REFERENCES "group"(group_uuid) ON DELETE CASCADE,
      source_id uuid NOT NULL REFERENCES scim_source(source_id) ON DELETE CASCADE,
      attributes jsonb DEFAULT '{}'::jsonb
    );
    CREATE INDEX scim_source_group_source_idx ON scim_source_group (source_id);
    CREATE INDEX scim_source_group_group_idx ON scim_source_group (group_uuid);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS scim_source_group, scim_source_user, scim_source, kerberos_source, ldap_source,
      plex_source, saml_source CASCADE;
    DROP FUNCTION IF EXISTS saml_source_delete_base();
  `.execute(db);
}
