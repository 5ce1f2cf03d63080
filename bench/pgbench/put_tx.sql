-- bench/pgbench/put_tx.sql: the database work of one Fedlink PUT /all/{id}/, for pgbench.
-- What PostgreSQL alone does with it (no HTTP, no Node): the ceiling for the put scenario.
-- The statement the server sends for a warm (speculative) superuser caller: the token re-check,
-- the UPDATE that refreshes last_updated and returns the row with its source's revision, and the
-- audit event, as one writable CTE (one implicit transaction); see bench/README.md sections 3 and 6.
-- Same durability (synchronous_commit as configured). Random ids like wrk/scenario.lua.
\set id random(1, :max_id)
WITH ok AS (
  SELECT EXISTS (
    SELECT 1 FROM token t JOIN "user" u ON u.id = t.user_id
    WHERE t.key_hash = :key_hash AND t.intent = 'api'
      AND (NOT t.expiring OR t.expires IS NULL OR t.expires > now())
      AND u.id = 1 AND u.is_active AND u.username = 'akadmin' AND u.email = 'akadmin@bench.example'
      AND EXISTS (
        WITH RECURSIVE anc(group_uuid, depth) AS (
          SELECT ug.group_uuid, 0 FROM user_group ug WHERE ug.user_id = u.id
          UNION ALL
          SELECT g.parent_uuid, anc.depth + 1 FROM anc JOIN "group" g ON g.group_uuid = anc.group_uuid
          WHERE g.parent_uuid IS NOT NULL AND anc.depth < 20)
        SELECT 1 FROM anc JOIN "group" g2 ON g2.group_uuid = anc.group_uuid WHERE g2.is_superuser)) AS auth_ok
),
u AS (
  UPDATE user_source_connection c SET last_updated = now() FROM source s
  WHERE s.pbm_uuid = c.source_id AND c.id = :id AND (SELECT ok.auth_ok FROM ok)
  RETURNING c.id, c.user_id, c.source_id, c.identifier, c.created, s.revision AS source_revision
),
e AS (
  INSERT INTO event (event_uuid, action, app, "user", context, client_ip)
  SELECT gen_random_uuid(), 'model_updated', 'authentik.events.signals',
    '{"pk": 1, "username": "akadmin", "email": "akadmin@bench.example"}',
    jsonb_build_object('model', jsonb_build_object('app', 'authentik_core', 'model_name', 'usersourceconnection', 'pk', u.id,
      'name', format('User-source connection (user=%s, source=%s)', u.user_id, u.source_id))),
    '127.0.0.1'
  FROM u
)
SELECT * FROM ok LEFT JOIN u ON true;
