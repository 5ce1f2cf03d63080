-- bench/pgbench/put_tx.sql: the database work of one Fedlink PUT /all/{id}/, for pgbench.
-- What PostgreSQL alone does with it (no HTTP, no Node): the ceiling for the put scenario.
-- Same statements as the server sends (auth lookup, then one transaction: the UPDATE that
-- refreshes last_updated and returns the row with its source view, the audit event), with
-- the same durability (synchronous_commit as configured). Random ids like wrk/scenario.lua.
\set id random(1, :max_id)
SELECT u.id, u.username, u.email, u.is_active FROM token t JOIN "user" u ON u.id = t.user_id
  WHERE t.key_hash = :key_hash AND t.intent = 'api';
BEGIN;
UPDATE user_source_connection c SET last_updated = now() FROM source s
  WHERE s.pbm_uuid = c.source_id AND c.id = :id
  RETURNING c.id, c.user_id, c.source_id, c.identifier, c.created, s.pbm_uuid, s.name, s.slug, s.enabled,
    s.authentication_flow_id, s.enrollment_flow_id,
    coalesce((SELECT array_agg(m.property_mapping_id::text ORDER BY m.property_mapping_id)
      FROM source_user_property_mapping m WHERE m.source_id = s.pbm_uuid), '{}'),
    coalesce((SELECT array_agg(m.property_mapping_id::text ORDER BY m.property_mapping_id)
      FROM source_group_property_mapping m WHERE m.source_id = s.pbm_uuid), '{}'),
    s.policy_engine_mode, s.user_matching_mode, s.managed, s.user_path_template, s.icon;
INSERT INTO event (event_uuid, action, app, "user", context, client_ip)
  VALUES (gen_random_uuid(), 'model_updated', 'authentik.events.signals',
    '{"pk": 1, "username": "akadmin", "email": "akadmin@bench.example"}',
    jsonb_build_object('model', jsonb_build_object('app', 'authentik_core', 'model_name', 'usersourceconnection', 'pk', :id::int)),
    '127.0.0.1');
COMMIT;
