import { createHash } from "node:crypto";

/** A Lua script run with EVALSHA, falling back to EVAL when the server has not cached it. */
export interface LuaScript {
  source: string;
  sha: string;
}

function lua(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/**
 * Versioned write. KEYS[1] record. ARGV: [1] value JSON, [2] expiresAt epoch ms or "", [3] "1" when
 * expiresAt has already passed (delete instead), [4] expected version, "" for absent, "*" for any.
 * Returns the new version, or -1 when the expected version did not match. The record is stored as
 * `{"version":n,"exp":ms|null,"v":<value JSON>}`; the value is spliced in as text, never re-encoded
 * by Lua (cjson would round numbers).
 */
export const writeRecord = lua(`
local current = redis.call('GET', KEYS[1])
local version = 0
if current then
  version = tonumber(string.match(current, '^{"version":(%d+),'))
  if not version then return redis.error_reply('SCP record is malformed') end
end
if ARGV[4] == '' then
  if current then return -1 end
elseif ARGV[4] ~= '*' then
  if version ~= tonumber(ARGV[4]) then return -1 end
end
version = version + 1
if ARGV[3] == '1' then
  redis.call('DEL', KEYS[1])
  return version
end
local exp = 'null'
if ARGV[2] ~= '' then exp = ARGV[2] end
local body = '{"version":' .. string.format('%d', version) .. ',"exp":' .. exp .. ',"v":' .. ARGV[1] .. '}'
if ARGV[2] == '' then
  redis.call('SET', KEYS[1], body)
else
  redis.call('SET', KEYS[1], body, 'PXAT', ARGV[2])
end
return version
`);

/** Lease acquire. KEYS[1] lock, KEYS[2] fence. ARGV [1] token, [2] ttl ms. Returns the fence or 0. */
export const acquireLease = lua(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0
`);

/** Release by owner. KEYS[1] lock, ARGV[1] token. Returns 1 when released. */
export const releaseLease = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`);

/** Extend by owner. KEYS[1] lock, ARGV [1] token, [2] ttl ms. Returns 1 when extended. */
export const extendLease = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`);

/** Fixed-window count. KEYS[1] counter, ARGV[1] window ms. Returns {count, ms until reset}. */
export const incrementWindow = lua(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`);
