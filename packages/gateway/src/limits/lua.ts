/**
 * The Redis side of the shared limiter: one script per admit and one per settle, so every check and
 * booking of a request is atomic across all gateway instances. Times come from the Redis server's
 * clock (`TIME`), so instances with skewed clocks still share one window.
 *
 * Keys: 1 minute log (zset: request id → time), 2 day log, 3 token log (zset: "id:tokens" → time),
 * 4 token sum, 5 in-flight set (zset: request id → expiry), 6 spend counter (integer nano-USD).
 * A limit of -1 is "not set"; its window is neither checked nor written.
 */
export const ADMIT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rpm, rpd, tpm, conc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local cap, reserve, member, ttl = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8])

local spent = redis.call('GET', KEYS[6])
if not spent then return {'seed', 0, 0, 0, 0, 0, 0, 0} end
spent = tonumber(spent)

local function oldest(key, window)
  local o = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if #o == 0 then return 0 end
  local ms = tonumber(o[2]) + window - now
  if ms < 0 then return 0 end
  return ms
end

local minute, day, tokens, inflight = 0, 0, 0, 0
if rpm >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
  minute = redis.call('ZCARD', KEYS[1])
end
if rpd >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 86400000)
  day = redis.call('ZCARD', KEYS[2])
end
if tpm >= 0 then
  local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - 60000)
  if #old > 0 then
    local removed = 0
    for _, m in ipairs(old) do removed = removed + tonumber(string.match(m, ':(%d+)$')) end
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 60000)
    redis.call('DECRBY', KEYS[4], removed)
  end
  tokens = tonumber(redis.call('GET', KEYS[4]) or '0')
end
if conc >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
  inflight = redis.call('ZCARD', KEYS[5])
end

local function info(status, retry)
  local mr, dr, tr = 0, 0, 0
  if rpm >= 0 then mr = oldest(KEYS[1], 60000) end
  if rpd >= 0 then dr = oldest(KEYS[2], 86400000) end
  if tpm >= 0 then tr = oldest(KEYS[3], 60000) end
  return {status, retry, minute, mr, day, dr, tokens, tr}
end

if rpm >= 0 and minute >= rpm then return info('rpm', oldest(KEYS[1], 60000)) end
if rpd >= 0 and day >= rpd then return info('rpd', oldest(KEYS[2], 86400000)) end
if tpm >= 0 and tokens >= tpm then return info('tpm', oldest(KEYS[3], 60000)) end
if conc >= 0 and inflight >= conc then return info('max_concurrent', 1000) end
if cap >= 0 and spent >= cap then return info('spend', 0) end

if rpm >= 0 then
  redis.call('ZADD', KEYS[1], now, member)
  redis.call('PEXPIRE', KEYS[1], 60000)
  minute = minute + 1
end
if rpd >= 0 then
  redis.call('ZADD', KEYS[2], now, member)
  redis.call('PEXPIRE', KEYS[2], 86400000)
  day = day + 1
end
if conc >= 0 then
  redis.call('ZADD', KEYS[5], now + ttl, member)
  redis.call('PEXPIRE', KEYS[5], ttl)
end
if reserve > 0 then redis.call('INCRBY', KEYS[6], reserve) end
return info('ok', 0)
`;

/** Keys: 1 token log, 2 token sum, 3 in-flight set, 4 spend counter. ARGV: member, tokens, cost delta. */
export const SETTLE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREM', KEYS[3], ARGV[1])
local tokens = tonumber(ARGV[2])
if tokens > 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[1] .. ':' .. tokens)
  redis.call('INCRBY', KEYS[2], tokens)
  redis.call('PEXPIRE', KEYS[1], 60000)
  redis.call('PEXPIRE', KEYS[2], 60000)
end
local delta = tonumber(ARGV[3])
if delta ~= 0 and redis.call('EXISTS', KEYS[4]) == 1 then redis.call('INCRBY', KEYS[4], delta) end
return 1
`;

/** Keys: 1 spend counter. ARGV: seed value (nano-USD), expiry in ms (0: none). Never overwrites. */
export const SEED_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') and tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('GET', KEYS[1])
`;
