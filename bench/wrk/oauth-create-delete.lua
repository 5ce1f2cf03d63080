-- bench/wrk/oauth-create-delete.lua: the typed OAuth connection create+delete pair, for wrk.
--
--   POST   /api/v3/sources/user_connections/oauth/        {"source": S, "user": U, "identifier": I}
--   DELETE /api/v3/sources/user_connections/oauth/{pk}/   the pk a POST answered with
--
-- as the superuser. Every request is either a POST or the DELETE of a row an earlier POST
-- created: request() sends a DELETE while created pks are waiting (FIFO), else a POST. With one
-- wrk thread all 32 connections share this Lua state, so at most ~32 rows exist at any time and
-- the counts are (roughly) half POSTs, half DELETEs. Users cycle through 1 … BENCH_USERS; a
-- user's row is deleted long before the cycle comes back to that user. Identifiers carry a
-- per-process nonce, so rows left over by an earlier process never collide on (source,
-- identifier); rows left over on (user, source) are removed by the runner before each attempt.
--
-- Environment: BENCH_ADMIN_TOKEN (md5('bench-token-1')), BENCH_OAUTH_SOURCE (source pk, required),
-- BENCH_USERS (10000), BENCH_NONCE (defaults to the time).
-- done() prints the same "BENCHJSON {...}" line as ../../../shared/bench-reference/wrk/scenario.lua,
-- so lib/loadrun.py accounts it like any scenario. Unlike scenario.lua this script defines
-- response() (it needs the created pk), which costs wrk some CPU.

local admin_token = os.getenv("BENCH_ADMIN_TOKEN") or "887be81049d6a1e254c8a23b18f5c749"
local source = os.getenv("BENCH_OAUTH_SOURCE") or error("BENCH_OAUTH_SOURCE is required")
local users = tonumber(os.getenv("BENCH_USERS") or "10000")
local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
local api = "/api/v3/sources/user_connections/oauth/"

local pending = {}
local head, tail = 1, 0
local counter = 0
local post_headers = {
  ["Authorization"] = "Bearer " .. admin_token,
  ["Accept"] = "application/json",
  ["Content-Type"] = "application/json",
}
local delete_headers = {
  ["Authorization"] = "Bearer " .. admin_token,
  ["Accept"] = "application/json",
}

function request()
  if head <= tail then
    local pk = pending[head]
    pending[head] = nil
    head = head + 1
    return wrk.format("DELETE", api .. pk .. "/", delete_headers, nil)
  end
  counter = counter + 1
  local user = (counter - 1) % users + 1
  local body = string.format('{"source":"%s","user":%d,"identifier":"bench-%s-%d"}', source, user, nonce, counter)
  return wrk.format("POST", api, post_headers, body)
end

function response(status, headers, body)
  if status == 201 then
    local pk = string.match(body, '"pk"%s*:%s*(%d+)')
    if pk then
      tail = tail + 1
      pending[tail] = pk
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local pct = function(p) return latency:percentile(p) / 1000.0 end
  io.write(string.format(
    'BENCHJSON {"scenario":"oauth_create_delete","method":"POST+DELETE","path":"%s","requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
    '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f}\n',
    api, summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    pct(50), pct(90), pct(99), latency.max / 1000.0, latency.mean / 1000.0))
end
