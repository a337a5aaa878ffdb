/**
 * The Redis side of the shared limiter. One script call admits a whole batch of requests of one key
 * (those that reached the gateway in the same event-loop turn), one call settles a batch: each
 * request is still checked and booked atomically, in order, exactly as if it had its own call, but
 * the windows are pruned once, and every write is one variadic command per batch instead of one per
 * request. Times come from the Redis server's clock (`TIME`), so instances with skewed clocks still
 * share one window. All keys of a call carry the key id's `{hash tag}`: Redis Cluster safe.
 *
 * Keys: 1 minute log (zset: request id → time), 2 day log, 3 token log (zset: "id:tokens" → time),
 * 4 token sum, 5 in-flight set (zset: request id → expiry), 6 spend counter (integer nano-USD).
 * A limit of -1 is "not set"; its window is neither checked nor written.
 */

/**
 * ARGV: rpm, rpd, tpm, max_concurrent, cap (nano-USD), slot ttl (ms), then per request: member,
 * reservation (nano-USD). Returns {0} when the spend counter must be seeded first (nothing booked),
 * else {1, now, minute count, minute oldest, day count, day oldest, token sum, token oldest, status…}
 * with the counts and oldest times (-1: window empty) as they stood before the batch, and per request
 * a status: 0 admitted, 1 rpm, 2 rpd, 3 tpm, 4 max_concurrent, 5 spend. The caller derives each
 * request's headers from these by replaying the admissions in order (see redis-admit.ts).
 */
export const ADMIT_LUA = `
local spent = redis.call('GET', KEYS[6])
if not spent then return {0} end
spent = tonumber(spent)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rpm, rpd, tpm = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local conc, cap, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])

local function oldest(key)
  local o = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if #o == 0 then return -1 end
  return tonumber(o[2])
end

local minute, mold, day, dold, tokens, told, inflight = 0, -1, 0, -1, 0, -1, 0
if rpm >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
  minute = redis.call('ZCARD', KEYS[1])
  if minute > 0 then mold = oldest(KEYS[1]) end
end
if rpd >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 86400000)
  day = redis.call('ZCARD', KEYS[2])
  if day > 0 then dold = oldest(KEYS[2]) end
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
  if tokens > 0 then told = oldest(KEYS[3]) end
end
if conc >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
  inflight = redis.call('ZCARD', KEYS[5])
end

local out = {1, now, minute, mold, day, dold, tokens, told}
local madd, dadd, cadd = {}, {}, {}
local reserved = 0
for i = 7, #ARGV, 2 do
  local s = 0
  if rpm >= 0 and minute >= rpm then s = 1
  elseif rpd >= 0 and day >= rpd then s = 2
  elseif tpm >= 0 and tokens >= tpm then s = 3
  elseif conc >= 0 and inflight >= conc then s = 4
  elseif cap >= 0 and spent >= cap then s = 5
  else
    local member, reserve = ARGV[i], tonumber(ARGV[i + 1])
    minute, day, inflight = minute + 1, day + 1, inflight + 1
    spent, reserved = spent + reserve, reserved + reserve
    if rpm >= 0 then madd[#madd + 1] = now; madd[#madd + 1] = member end
    if rpd >= 0 then dadd[#dadd + 1] = now; dadd[#dadd + 1] = member end
    if conc >= 0 then cadd[#cadd + 1] = now + ttl; cadd[#cadd + 1] = member end
  end
  out[#out + 1] = s
end
if #madd > 0 then
  redis.call('ZADD', KEYS[1], unpack(madd))
  redis.call('PEXPIRE', KEYS[1], 60000)
end
if #dadd > 0 then
  redis.call('ZADD', KEYS[2], unpack(dadd))
  redis.call('PEXPIRE', KEYS[2], 86400000)
end
if #cadd > 0 then
  redis.call('ZADD', KEYS[5], unpack(cadd))
  redis.call('PEXPIRE', KEYS[5], ttl)
end
if reserved > 0 then redis.call('INCRBY', KEYS[6], reserved) end
return out
`;

/**
 * Keys: 1 token log, 2 token sum, 3 in-flight set, 4 spend counter. ARGV: spend delta (actual cost
 * minus reservations, summed over the batch), number n of slots to free, then n request ids, then the
 * token log entries ("id:tokens") with their token total last. A spend counter that is gone (expired,
 * Redis lost its data) is left alone: the next admit seeds it from the recorded usage.
 */
export const SETTLE_LUA = `
local n = tonumber(ARGV[2])
if n > 0 then redis.call('ZREM', KEYS[3], unpack(ARGV, 3, 2 + n)) end
if #ARGV > 3 + n then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local add = {}
  for i = 3 + n, #ARGV - 1 do add[#add + 1] = now; add[#add + 1] = ARGV[i] end
  redis.call('ZADD', KEYS[1], unpack(add))
  redis.call('INCRBY', KEYS[2], ARGV[#ARGV])
  redis.call('PEXPIRE', KEYS[1], 60000)
  redis.call('PEXPIRE', KEYS[2], 60000)
end
local delta = tonumber(ARGV[1])
if delta ~= 0 and redis.call('EXISTS', KEYS[4]) == 1 then redis.call('INCRBY', KEYS[4], ARGV[1]) end
return 1
`;

/** Keys: 1 spend counter. ARGV: seed value (nano-USD), expiry in ms (0: none). Never overwrites. */
export const SEED_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') and tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('GET', KEYS[1])
`;
