/**
 * How events sit in the Redis stream, and the Lua scripts that read and write it. An entry's id
 * IS the event's `seq` (both are "<major>-<minor>", increasing in log order), so the stream is a
 * copy of the log's tail, and a position means the same thing in both.
 */
import { compareSeq, type ExecutorEvent } from "@cloacina/engine";
import { lua, type Reply } from "./redis-client.js";

/** One field per entry: the event as JSON, without its seq (the entry id). */
export function encodeEvent(event: ExecutorEvent): string {
  const { seq: _seq, ...rest } = event;
  return JSON.stringify(rest);
}

export function decodeEntry(entry: Reply): ExecutorEvent {
  const [id, fields] = entry as [string, string[]];
  const json = fields[fields.indexOf("e") + 1];
  const data = JSON.parse(json ?? "{}") as Omit<ExecutorEvent, "seq" | "at" | "retryAt"> & {
    at: string;
    retryAt?: string;
  };
  const event: ExecutorEvent = { ...data, seq: id, at: new Date(data.at) } as ExecutorEvent;
  if (data.retryAt !== undefined) event.retryAt = new Date(data.retryAt);
  return event;
}

export const ZERO = "0-0";

export function maxSeq(a: string, b: string): string {
  return compareSeq(a, b) >= 0 ? a : b;
}

/** Reads one field of XINFO STREAM (a flat [name, value, ...] list in RESP2), "0-0" if no stream. */
const INFO = `
local function info(key, field)
  if redis.call('EXISTS', key) == 0 then return '0-0' end
  local fields = redis.call('XINFO', 'STREAM', key)
  for i = 1, #fields, 2 do
    if fields[i] == field then return fields[i + 1] end
  end
  return '0-0'
end
`;

/**
 * Relay: XADD each (id, payload) pair with its explicit id. An id at or below the stream's last
 * one was relayed already (by this executor or another): skipped, not an error. Returns the
 * number added and the stream's last id, so a relay behind another one jumps ahead.
 * KEYS: stream. ARGV: maxlen (0: no trimming), then id, payload, id, payload...
 */
export const RELAY_SCRIPT = lua(`${INFO}
local key, maxlen, added = KEYS[1], ARGV[1], 0
for i = 2, #ARGV, 2 do
  local r
  if maxlen == '0' then
    r = redis.pcall('XADD', key, ARGV[i], 'e', ARGV[i + 1])
  else
    r = redis.pcall('XADD', key, 'MAXLEN', '~', maxlen, ARGV[i], 'e', ARGV[i + 1])
  end
  if type(r) == 'table' and r.err then
    if not string.find(r.err, 'equal or smaller', 1, true) then return redis.error_reply(r.err) end
  else
    added = added + 1
  end
end
return {added, info(key, 'last-generated-id')}
`);

/** The stream's last id, "0-0" when there is no stream. KEYS: stream. */
export const LAST_ID_SCRIPT = lua(`${INFO}
return info(KEYS[1], 'last-generated-id')
`);

/**
 * Private subscriber: the entries after a position, and the stream's first id. Entries are only
 * ever trimmed from the front, so if the first id is past the position, events in between may
 * have been trimmed before the subscriber read them: it reads that range from the log.
 * KEYS: stream. ARGV: after, count. Returns {firstId, entries} ("0-0": no entries).
 */
export const READ_SCRIPT = lua(`${INFO}
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return {'0-0', {}} end
return {info(key, 'recorded-first-entry-id'), redis.call('XRANGE', key, '(' .. ARGV[1], '+', 'COUNT', ARGV[2])}
`);

/**
 * Named group: new entries for this consumer (XREADGROUP >), atomically with the stream's first
 * id and the group's last-delivered id before the read. If the first id is past it, events in
 * between may have been trimmed before any consumer of the group got them: this consumer (and
 * only it, since the read moved the group past them) reads that range from the log.
 * KEYS: stream. ARGV: group, consumer, count. Returns {lastDeliveredBefore, firstId,
 * lastDeliveredAfter, entries}.
 */
export const GROUP_READ_SCRIPT = lua(`${INFO}
local key, group, consumer, count = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local function lastDelivered()
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', key)) do
    local name, last
    for i = 1, #g, 2 do
      if g[i] == 'name' then name = g[i + 1] end
      if g[i] == 'last-delivered-id' then last = g[i + 1] end
    end
    if name == group then return last end
  end
  return redis.error_reply('NOGROUP consumer group ' .. group .. ' does not exist')
end
local before = lastDelivered()
local first = info(key, 'recorded-first-entry-id')
local read = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', count, 'STREAMS', key, '>')
local entries = {}
if read then entries = read[1][2] end
return {before, first, lastDelivered(), entries}
`);
