/**
 * The Redis side of the shared limiter: one script call settles the requests of one key that ended
 * and admits those that arrived in the same event-loop turn. Each admission is still checked and
 * booked atomically and in order, exactly as if it had a call of its own, but the windows are pruned
 * once per call and every write is one command per call instead of one per request. Times come from
 * the Redis server's clock (`TIME`), so instances with skewed clocks still share one window. All keys
 * carry the key id's `{hash tag}`, so a call stays within one Redis Cluster slot.
 *
 * Keys: 1 minute log, 2 its count, 3 day log, 4 its count, 5 token log, 6 its count (zsets of
 * "id:n" → time, n requests or tokens booked together at that time, plus the sum of their n; the day
 * log keeps one entry per second, see DAY_SLOT_MS), 7 in-flight set (zset: request id → expiry),
 * 8 spend counter (integer nano-USD).
 *
 * ARGV: 1 rpm, 2 rpd, 3 tpm, 4 max_concurrent, 5 cap (nano-USD; -1: limit not set, its window is
 * neither checked nor written), 6 slot ttl (ms); the settles: 7 spend delta (actual cost minus
 * reservations), 8 tokens, 9 id naming their token log entry, 10 number n of slots to free, 11…10+n
 * the slots' request ids; then per admission: request id, reservation (nano-USD).
 *
 * Returns {1} when there was nothing to admit; {0} when the spend counter must be seeded first (the
 * settles are done, no admission is booked); else {1, now, minute count, minute oldest, day count,
 * day oldest, token count, token oldest, status…}, the windows as they stood before the admissions
 * (oldest -1: window empty) and per admission a status: 0 admitted, 1 rpm, 2 rpd, 3 tpm,
 * 4 max_concurrent, 5 spend. The caller derives each request's headers by replaying the admissions
 * in order (redis-script.ts).
 */
export const LIMIT_LUA = `
local rpm, rpd, tpm = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local conc, cap, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local delta, settled, nslots = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[10])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

if nslots > 0 then redis.call('ZREM', KEYS[7], unpack(ARGV, 11, 10 + nslots)) end
if settled > 0 then
  redis.call('ZADD', KEYS[5], now, ARGV[9] .. ':' .. settled)
  redis.call('INCRBY', KEYS[6], settled)
  redis.call('PEXPIRE', KEYS[5], 60000)
  redis.call('PEXPIRE', KEYS[6], 60000)
end
local spent = redis.call('GET', KEYS[8])
-- A counter that is gone (first use, expired, Redis lost its data) is seeded from recorded usage.
if delta ~= 0 and spent then spent = redis.call('INCRBY', KEYS[8], delta) end
local first = 11 + nslots
if first > #ARGV then return {1} end
if not spent then return {0} end
spent = tonumber(spent)

local function window(log, sum, span)
  local cutoff = now - span
  local old = redis.call('ZRANGEBYSCORE', log, '-inf', cutoff)
  if #old > 0 then
    local removed = 0
    for _, m in ipairs(old) do removed = removed + tonumber(string.match(m, ':(%d+)$')) end
    redis.call('ZREMRANGEBYSCORE', log, '-inf', cutoff)
    redis.call('DECRBY', sum, removed)
  end
  local n = tonumber(redis.call('GET', sum) or '0')
  local o = redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')
  -- A sum without its log (one expired before the other) counts nothing.
  if n <= 0 or #o == 0 then
    if n ~= 0 then redis.call('DEL', sum) end
    return 0, -1
  end
  return n, tonumber(o[2])
end

local minute, mold, day, dold, tokens, told, inflight = 0, -1, 0, -1, 0, -1, 0
if rpm >= 0 then minute, mold = window(KEYS[1], KEYS[2], 60000) end
if rpd >= 0 then day, dold = window(KEYS[3], KEYS[4], 86400000) end
if tpm >= 0 then tokens, told = window(KEYS[5], KEYS[6], 60000) end
if conc >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', now)
  inflight = redis.call('ZCARD', KEYS[7])
end

local out = {1, now, minute, mold, day, dold, tokens, told}
local admitted, id, slots, reserved = 0, nil, {}, 0
for i = first, #ARGV, 2 do
  local s = 0
  if rpm >= 0 and minute >= rpm then s = 1
  elseif rpd >= 0 and day >= rpd then s = 2
  elseif tpm >= 0 and tokens >= tpm then s = 3
  elseif conc >= 0 and inflight >= conc then s = 4
  elseif cap >= 0 and spent >= cap then s = 5
  else
    local reserve = tonumber(ARGV[i + 1])
    admitted, minute, day, inflight = admitted + 1, minute + 1, day + 1, inflight + 1
    spent, reserved = spent + reserve, reserved + reserve
    id = id or ARGV[i]
    if conc >= 0 then slots[#slots + 1] = now + ttl; slots[#slots + 1] = ARGV[i] end
  end
  out[#out + 1] = s
end
if admitted > 0 then
  local entry = id .. ':' .. admitted
  if rpm >= 0 then
    redis.call('ZADD', KEYS[1], now, entry)
    redis.call('INCRBY', KEYS[2], admitted)
    redis.call('PEXPIRE', KEYS[1], 60000)
    redis.call('PEXPIRE', KEYS[2], 60000)
  end
  if rpd >= 0 then
    -- One entry per second (DAY_SLOT_MS), at the end of the second: merged with the entry already there.
    local slot = math.ceil(now / 1000) * 1000
    local there = redis.call('ZRANGEBYSCORE', KEYS[3], slot, slot)
    local n = admitted
    for _, m in ipairs(there) do n = n + tonumber(string.match(m, ':(%d+)$')) end
    if #there > 0 then redis.call('ZREM', KEYS[3], unpack(there)) end
    redis.call('ZADD', KEYS[3], slot, slot .. ':' .. n)
    redis.call('INCRBY', KEYS[4], admitted)
    redis.call('PEXPIRE', KEYS[3], 86400000)
    redis.call('PEXPIRE', KEYS[4], 86400000)
  end
  if conc >= 0 then
    redis.call('ZADD', KEYS[7], unpack(slots))
    redis.call('PEXPIRE', KEYS[7], ttl)
  end
  if reserved > 0 then redis.call('INCRBY', KEYS[8], reserved) end
end
return out
`;

/** Keys: 1 spend counter. ARGV: seed value (nano-USD), expiry in ms (0: none). Never overwrites. */
export const SEED_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') and tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('GET', KEYS[1])
`;
