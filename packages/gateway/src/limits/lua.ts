import { LEASE_GRACE_MS, LEASE_MS, LEASE_SHARE, LONG_LEASE_MS } from "./lease.js";
import { DAY_MS, DAY_SLOT_MS, MINUTE_MS, SHARED_MINUTE_SLOT_MS } from "./types.js";

/**
 * How long Redis remembers the number of an instance's last settles for a key: a call sent again later
 * than this after its answer was lost could be booked twice (it is sent again within seconds).
 */
const SEQ_TTL_MS = 86_400_000;

/** While a key is busy, its keys' expiries are pushed out at most this often (not on every call). */
const EXPIRY_REFRESH_MS = 10_000;

/**
 * The Redis side of the shared limiter: one script call settles the requests of one key that ended
 * and admits those that arrived in the same event-loop turn — and, for a key busy at the calling
 * instance, grants it a lease of requests to admit on its own until the slot ends (see lease.ts).
 * Each admission is still checked and booked atomically and in order, exactly as if it had a call of
 * its own, but the windows are pruned once per call and every write is one command per call instead
 * of one per request. Times come from the Redis server's clock (`TIME`), so instances with skewed
 * clocks still share one window. All keys carry the key id's `{hash tag}`, so a call stays within one
 * Redis Cluster slot.
 *
 * The cost of a call is mostly the number of Redis commands it runs, so the steady state runs about
 * eight, whatever limits are set:
 * - Each window (minute, day, tokens) books into an *open slot* kept in the state hash: requests are
 *   booked at the end of their slot (10 ms for the minute and token windows, 1 s for the day), so an
 *   entry leaves its window a little after one window length, never before — counts stay exact and no
 *   window ever holds more than its limit. Only when time moves past the open slot does it go into the
 *   window's log (a zset of "slot:n" → slot), and the log is pruned only when its oldest entry (also
 *   kept in the hash) has left the window: once per slot at most, not once per call.
 * - The three sums, open slots and oldest entries are one hash: one HMGET to read, one HSET to write.
 * - Requests in flight are counted per gateway instance in one small hash (instance → count, and when
 *   it last called), read whole and written once per call: no per-request member to add and remove.
 *   Each call carries the instance's own total, not what changed since its last call, so a call lost
 *   on the way (Redis unreachable) cannot leave the count wrong beyond the key's next call. An instance
 *   that has made no call for the key for the slot TTL (it crashed, or lost Redis for that long) stops
 *   counting, so its slots come back; while it keeps calling, its requests keep their slots however
 *   long they run (a per-request expiry would free a slot under a request still running).
 * - Expiries are pushed out every EXPIRY_REFRESH_MS, not on every write; all of a key id's keys share
 *   one expiry (the longest window in use plus the slot TTL), so they live and vanish together.
 * - Settled cost and new reservations are one INCRBY.
 * - A lease is booked like that many admissions, in the slot its end falls in (a later slot is
 *   stricter, never looser), plus one HSET of the instance's lease marker; its unused part comes back
 *   later: subtracted from the open slot, or from that slot's log entry once it has closed.
 *
 * Keys: 1 state hash, 2 minute log, 3 day log, 4 token log, 5 in-flight counts (hash: instance →
 * requests in flight, instance .. '@' → its last call), 6 spend counter (integer nano-USD), 7 lease
 * markers (hash: instance → end of its lease, until given back), 8 the number of the calling instance's
 * last call with settles booked for the key. State hash
 * fields per window w ∈ {m, d, t}: w sum (booked in the window, open slot included), ws open slot's
 * end (-1: none), wn its count, wo the log's oldest entry (-1: log empty); x when the expiries were
 * last pushed out.
 *
 * ARGV: 1 rpm, 2 rpd, 3 tpm, 4 max_concurrent, 5 cap (nano-USD; -1: limit not set, its window is
 * neither checked nor written; all -1 and ttl 0: a settle-only call), 6 slot ttl (ms); the settles:
 * 7 spend delta (actual cost minus reservations, leases' refunds included), 8 tokens; 9 the requests in
 * flight the calling instance holds before this call's admissions (-1: keep its count as it is); 10
 * the calling instance's id; 11 lease rate (requests per ms; 0: no lease asked for), 12 lease unit
 * (each leased request's reservation, nano-USD); 13 r, the number of leases given back; 14 the number
 * of this call's settles (0: none; a number booked before: its settles and leases given back are not
 * booked again); then r triples (unused requests, minute slot, day slot; -1: not booked there); then
 * one reservation (nano-USD) per admission.
 *
 * Returns {1} when there was nothing to admit and no lease asked for; {0} when the spend counter must
 * be seeded first (the settles are done, no admission is booked); else {1, now, minute count, minute
 * oldest, day count, day oldest, token count, token oldest, leased, lease end, lease minute slot,
 * lease day slot, status…}: the windows as they stood before the admissions (oldest: the end of the
 * oldest slot in the window, -1 when empty), the lease granted (0 requests: none), and per admission a
 * status: 0 admitted, 1 rpm, 2 rpd, 3 tpm, 4 max_concurrent, 5 spend, or that plus 10 when another
 * instance's lease may yet free room (wait and ask again). The caller derives each request's headers
 * by replaying the admissions in order (redis-script.ts).
 */
export const LIMIT_LUA = `
local rpm, rpd, tpm = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local conc, cap, ttl = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local delta, settled, held, me = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[10]
local leaseRate, unit, returns = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
local seq = tonumber(ARGV[14])
local first = 15 + 3 * returns
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- Settles sent again after their call's answer was lost are booked once: each instance numbers its
-- settles' calls per key, and a number already booked here books nothing.
if seq > 0 then
  if seq <= tonumber(redis.call('GET', KEYS[8]) or '0') then
    delta, settled, returns = 0, 0, 0
  else
    redis.call('SET', KEYS[8], seq, 'PX', ${SEQ_TTL_MS})
  end
end
local H = KEYS[1]
local s = redis.call('HMGET', H, 'm', 'ms', 'mn', 'mo', 'd', 'ds', 'dn', 'do', 't', 'ts', 'tn', 'to', 'x')
local expiry = math.max(rpd >= 0 and ${DAY_MS} or ${MINUTE_MS}, ttl) + ${2 * EXPIRY_REFRESH_MS}
local set = {}

-- No state hash (first use, or it expired with the logs): logs left without it would be miscounted.
local fresh = true
for i = 1, 13 do if s[i] then fresh = false break end end
if fresh then redis.call('DEL', KEYS[2], KEYS[3], KEYS[4]) end

local function num(v, default) if v then return tonumber(v) end return default end
-- Integers as Redis reads them (a Lua number past 14 digits would print as 1e+15).
local function int(v) return string.format('%d', v) end
local function window(i, key, name, res, span)
  return {sum = num(s[i], 0), slot = num(s[i + 1], -1), n = num(s[i + 2], 0), old = num(s[i + 3], -1),
    key = key, name = name, res = res, span = span, dirty = false}
end
local M = window(1, KEYS[2], 'm', ${SHARED_MINUTE_SLOT_MS}, ${MINUTE_MS})
local D = window(5, KEYS[3], 'd', ${DAY_SLOT_MS}, ${DAY_MS})
local T = window(9, KEYS[4], 't', ${SHARED_MINUTE_SLOT_MS}, ${MINUTE_MS})

-- The end of the slot a time falls in: where a booking made then goes.
local function slotEnd(w, at) return math.ceil((at or now) / w.res) * w.res end

-- Moves the open slot into the window's log.
local function close(w)
  if w.n > 0 then
    redis.call('ZADD', w.key, int(w.slot), int(w.slot) .. ':' .. int(w.n))
    if w.old < 0 then
      w.old = w.slot
      redis.call('PEXPIRE', w.key, expiry)
    end
  end
  w.slot, w.n, w.dirty = -1, 0, true
end

-- Closes the open slot once time has moved past it, then drops what has left the window.
local function advance(w)
  if w.slot >= 0 and w.slot < slotEnd(w) then close(w) end
  local cutoff = now - w.span
  if w.old >= 0 and w.old <= cutoff then
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', w.key, '-inf', cutoff)) do
      w.sum = w.sum - tonumber(string.match(m, ':(%d+)$'))
    end
    redis.call('ZREMRANGEBYSCORE', w.key, '-inf', cutoff)
    local o = redis.call('ZRANGE', w.key, 0, 0, 'WITHSCORES')
    if #o == 0 then w.old = -1 else w.old = tonumber(o[2]) end
    w.dirty = true
  end
  -- With the log empty the sum is the open slot's count: a sum that drifted heals here.
  if w.old < 0 and w.sum ~= w.n then w.sum, w.dirty = w.n, true end
end

-- Books n requests made up to time "upto" (default now) at the end of its slot, or in a later open slot
-- (a later slot is stricter, never looser).
local function book(w, n, upto)
  local at = slotEnd(w, upto)
  if w.slot >= 0 and w.slot < at then close(w) end
  if w.slot < 0 then w.slot = at end
  w.sum, w.n, w.dirty = w.sum + n, w.n + n, true
end

local function oldest(w)
  if w.old >= 0 then return w.old end
  return w.slot
end

local x = num(s[13], 0)
-- Settle-only calls (ttl 0) do not know the key's limits, so only admission calls set expiries.
local refresh = ttl > 0 and (now - x >= ${EXPIRY_REFRESH_MS} or now < x)

local function finish()
  for _, w in ipairs({M, D, T}) do
    if w.dirty then
      set[#set + 1] = w.name; set[#set + 1] = int(w.sum)
      set[#set + 1] = w.name .. 'n'; set[#set + 1] = int(w.n)
      set[#set + 1] = w.name .. 's'; set[#set + 1] = int(w.slot)
      set[#set + 1] = w.name .. 'o'; set[#set + 1] = int(w.old)
    end
  end
  if refresh then set[#set + 1] = 'x'; set[#set + 1] = int(now) end
  if #set > 0 then redis.call('HSET', H, unpack(set)) end
  if refresh then
    for i = 1, 7 do redis.call('PEXPIRE', KEYS[i], expiry) end
  elseif fresh and #set > 0 then
    -- A settle created the hash: keep it as long as any window could need it, until an admission.
    redis.call('PEXPIRE', H, ${DAY_MS + 2 * EXPIRY_REFRESH_MS})
  end
end

-- Requests in flight: this instance's count (as it says, or as it was), plus the live instances'.
local inflight, mine, hadMine = 0, 0, false
if conc >= 0 or held >= 0 then
  local all = redis.call('HGETALL', KEYS[5])
  local count, seen = {}, {}
  for i = 1, #all, 2 do
    local f = all[i]
    if string.byte(f, -1) == 64 then seen[string.sub(f, 1, -2)] = tonumber(all[i + 1])
    else count[f] = tonumber(all[i + 1]) end
  end
  local gone = {}
  for id, n in pairs(count) do
    if id == me then hadMine = true
    elseif ttl > 0 and (seen[id] or 0) < now - ttl then gone[#gone + 1] = id; gone[#gone + 1] = id .. '@'
    else inflight = inflight + n end
  end
  if #gone > 0 then redis.call('HDEL', KEYS[5], unpack(gone)) end
  if held >= 0 then mine = held else mine = count[me] or 0 end
  inflight = inflight + mine
end
local function writeMine()
  if mine > 0 then
    redis.call('HSET', KEYS[5], me, int(mine), me .. '@', int(now))
    -- A hash this call may have created gets its expiry now if the refresh below will not set it.
    if not hadMine and not refresh then redis.call('PEXPIRE', KEYS[5], expiry) end
  elseif hadMine then redis.call('HDEL', KEYS[5], me, me .. '@') end
end

-- Takes back n requests booked at slot "at" (a lease's unused part): from the open slot, or from its
-- log entry if the slot has closed since; nothing once it has left the window.
local function unbook(w, at, n)
  if w.slot == at then
    local k = math.min(n, w.n)
    w.n, w.sum, w.dirty = w.n - k, w.sum - k, true
  elseif at > now - w.span then
    local m = redis.call('ZRANGEBYSCORE', w.key, at, at)[1]
    if not m then return end
    local c = tonumber(string.match(m, ':(%d+)$'))
    local k = math.min(n, c)
    redis.call('ZREM', w.key, m)
    if c > k then
      redis.call('ZADD', w.key, int(at), int(at) .. ':' .. int(c - k))
    elseif w.old == at then
      local o = redis.call('ZRANGE', w.key, 0, 0, 'WITHSCORES')
      if #o == 0 then w.old = -1 else w.old = tonumber(o[2]) end
    end
    w.sum, w.dirty = w.sum - k, true
  end
end

if settled > 0 or tpm >= 0 then advance(T) end
if settled > 0 then book(T, settled) end
-- Leases given back: their unused requests leave the windows (their spend is in delta, their slots are
-- not in held). A lost state hash took the bookings with it.
if returns > 0 and not fresh then
  advance(M)
  advance(D)
  for i = 15, first - 1, 3 do
    local n, atM, atD = tonumber(ARGV[i]), tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
    if n > 0 and atM >= 0 then unbook(M, atM, n) end
    if n > 0 and atD >= 0 then unbook(D, atD, n) end
  end
end
local spent = redis.call('GET', KEYS[6])
-- A counter that is gone (first use, expired, Redis lost its data) is seeded from recorded usage.
if spent then spent = tonumber(spent) + delta end
-- Nothing to admit and no lease asked for: settles only. No spend counter: it must be seeded first.
local settleOnly = first > #ARGV and leaseRate <= 0
if settleOnly or not spent then
  if spent and delta ~= 0 then redis.call('INCRBY', KEYS[6], int(delta)) end
  if held >= 0 then writeMine() end
  if returns > 0 then redis.call('HDEL', KEYS[7], me) end
  finish()
  if settleOnly then return {1} end
  return {0}
end

if rpm >= 0 then advance(M) end
if rpd >= 0 then advance(D) end
local out = {1, now, M.sum, oldest(M), D.sum, oldest(D), T.sum, oldest(T), 0, -1, -1, -1}
local minute, day, tokens = M.sum, D.sum, T.sum
local admitted, reserved, refused = 0, 0, false

-- Whether another live instance holds a lease on this key that it may yet give back in part: then a
-- refusal could be premature, so the request is told to wait for it instead (status + 10).
local othersLease
local function othersHoldLeases()
  if othersLease == nil then
    othersLease = false
    local all = redis.call('HGETALL', KEYS[7])
    for i = 1, #all, 2 do
      if all[i] ~= me and tonumber(all[i + 1]) >= now - ${LEASE_GRACE_MS} then othersLease = true break end
    end
  end
  return othersLease
end

for i = first, #ARGV do
  local status = 0
  if rpm >= 0 and minute >= rpm then status = 1
  elseif rpd >= 0 and day >= rpd then status = 2
  elseif tpm >= 0 and tokens >= tpm then status = 3
  elseif conc >= 0 and inflight >= conc then status = 4
  elseif cap >= 0 and spent >= cap then status = 5
  else
    local reserve = tonumber(ARGV[i])
    admitted, minute, day, inflight = admitted + 1, minute + 1, day + 1, inflight + 1
    spent, reserved = spent + reserve, reserved + reserve
  end
  if status ~= 0 then
    refused = true
    -- Leases book no tokens, so a full token window is final.
    if status ~= 3 and othersHoldLeases() then status = status + 10 end
  end
  out[#out + 1] = status
end

-- A lease: requests this instance may admit on its own until leaseEnd (the end of the slot LEASE_MS
-- ahead: 50 to 60 ms away, so that a renewal asked for before the current lease ends extends it; or
-- LONG_LEASE_MS ahead while the key has used at most half of every limit: fewer calls), booked now at
-- the end of that slot as if all made then (so exact in every window), and only while every limit has
-- ample room: at most 1/LEASE_SHARE of what is left. Asked for at the instance's recent rate per ms.
local function far(used, limit) return limit < 0 or used * 2 <= limit end
local span = ${LEASE_MS}
if far(minute, rpm) and far(day, rpd) and far(tokens, tpm) and far(inflight, conc) and far(spent, cap) then
  span = ${LONG_LEASE_MS}
end
local granted, leaseEnd = 0, slotEnd(M, now + span)
if leaseRate > 0 and not refused then
  local g = math.ceil(leaseRate * (leaseEnd - now))
  local function room(left) local q = math.floor(left / ${LEASE_SHARE}) if q < g then g = q end end
  if rpm >= 0 then room(rpm - minute) end
  if rpd >= 0 then room(rpd - day) end
  if conc >= 0 then room(conc - inflight) end
  if cap >= 0 then
    if unit > 0 then room((cap - spent) / unit) elseif spent >= cap then g = 0 end
  end
  if tpm >= 0 and tokens >= tpm then g = 0 end
  if g >= 2 then granted, reserved = g, reserved + g * unit end
end

if admitted + granted > 0 then
  -- With a lease, the batch's admissions share its (later) slot: one open slot per window.
  local upto = granted > 0 and leaseEnd or now
  if rpm >= 0 then book(M, admitted + granted, upto) end
  if rpd >= 0 then book(D, admitted + granted, upto) end
  if conc >= 0 then mine = mine + admitted + granted end
end
if granted > 0 then
  out[9], out[10] = granted, leaseEnd
  if rpm >= 0 then out[11] = M.slot end
  if rpd >= 0 then out[12] = D.slot end
end
if granted > 0 then
  redis.call('HSET', KEYS[7], me, int(leaseEnd))
  if not refresh then redis.call('PEXPIRE', KEYS[7], expiry) end
elseif returns > 0 then
  redis.call('HDEL', KEYS[7], me)
end
-- Written on every call that counts, so a live instance stays live.
if conc >= 0 or held >= 0 then writeMine() end
if delta + reserved ~= 0 then redis.call('INCRBY', KEYS[6], int(delta + reserved)) end
finish()
return out
`;

/** Keys: 1 spend counter. ARGV: seed value (nano-USD), expiry in ms (0: none). Never overwrites. */
export const SEED_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') and tonumber(ARGV[2]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('GET', KEYS[1])
`;
