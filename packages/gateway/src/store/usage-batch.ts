import type { UsageEvent } from "./types.js";

/**
 * Usage events as the gateway queues and ships them: columns, not objects. `append` copies an event's
 * fields into typed arrays and dictionary codes the moment the request ends, so the event object dies
 * young instead of waiting in a queue through scavenges (and being promoted, and traced by the old
 * generation's collector), and a batch crosses to the SQLite worker as a few typed arrays and one short
 * list of distinct strings, not 18 tagged values per row. Measured in the gateway under load (V8
 * profile, 2026-11-30): building, queueing and posting event objects cost the event loop ~4.5 µs per
 * request (the object 1.4, GC 1.6, structured clone 1.3).
 */

/** Number columns; NaN stands for NULL. `append` and `events` index them in this order. */
const NUMBER_FIELDS = [
  "stream",
  "prompt_tokens",
  "completion_tokens",
  "cached_tokens",
  "reasoning_tokens",
  "cost_usd",
  "estimated",
  "latency_ms",
  "ttft_ms",
  "status",
  "created_at",
  "attempts",
  "cache_hit",
] as const;

/**
 * Text columns other than request_id (unique per row), dictionary-coded; code -1 stands for NULL.
 * `append` and `events` index them in this order.
 */
const TEXT_FIELDS = [
  "key_id",
  "provider",
  "model",
  "session_id",
  "end_user",
  "error_code",
  "deployment",
  "attempt_log",
] as const;

/** Where each column of the usage_events INSERT comes from: [kind, index into its kind's fields]. */
export type ColumnSource = readonly ["id", 0] | readonly ["text" | "number", number];

/**
 * The INSERT's columns, in order, with their source in a packed batch: the request id, then the text
 * fields, then the number fields (the order of columns in an INSERT is free).
 */
export const USAGE_COLUMNS: readonly { name: string; source: ColumnSource }[] = [
  { name: "request_id", source: ["id", 0] },
  ...TEXT_FIELDS.map((name, i) => ({ name, source: ["text", i] as const })),
  ...NUMBER_FIELDS.map((name, i) => ({ name, source: ["number", i] as const })),
];

/**
 * A batch as plain data (what is posted to the worker; typed arrays clone as one copy of their bytes).
 * Row `r`'s number field `f` is `numbers[r * NUMBER_COUNT + f]`; its text field `t` is
 * `strings[texts[r * TEXT_COUNT + t]]`. The arrays may be longer than `rows`.
 */
export interface PackedUsage {
  rows: number;
  requestIds: string[];
  numbers: Float64Array;
  texts: Int32Array;
  strings: string[];
}

export const NUMBER_COUNT = NUMBER_FIELDS.length;
export const TEXT_COUNT = TEXT_FIELDS.length;

export class UsageBatch {
  private count = 0;
  private readonly requestIds: string[] = [];
  private numbers: Float64Array;
  private texts: Int32Array;
  private readonly strings: string[] = [];
  private readonly codes = new Map<string, number>();
  /** The last string coded per text field: a batch is mostly one key and one model, so most lookups stop here. */
  private readonly lastString: (string | null)[] = new Array(TEXT_COUNT).fill(null);
  private readonly lastCode: number[] = new Array(TEXT_COUNT).fill(-1);

  constructor(capacity = 64) {
    this.numbers = new Float64Array(Math.max(1, capacity) * NUMBER_COUNT);
    this.texts = new Int32Array(Math.max(1, capacity) * TEXT_COUNT);
  }

  static of(events: readonly UsageEvent[]): UsageBatch {
    const batch = new UsageBatch(events.length);
    for (const e of events) batch.append(e);
    return batch;
  }

  get rows(): number {
    return this.count;
  }

  append(e: UsageEvent): void {
    const r = this.count;
    if ((r + 1) * NUMBER_COUNT > this.numbers.length) this.grow();
    const n = r * NUMBER_COUNT;
    const numbers = this.numbers;
    numbers[n] = e.stream ? 1 : 0;
    numbers[n + 1] = e.promptTokens;
    numbers[n + 2] = e.completionTokens;
    numbers[n + 3] = e.cachedTokens;
    numbers[n + 4] = e.reasoningTokens;
    numbers[n + 5] = e.costUsd ?? Number.NaN;
    numbers[n + 6] = e.estimated ? 1 : 0;
    numbers[n + 7] = Math.round(e.latencyMs);
    numbers[n + 8] = e.ttftMs === null ? Number.NaN : Math.round(e.ttftMs);
    numbers[n + 9] = e.status;
    numbers[n + 10] = e.createdAt;
    numbers[n + 11] = e.attempts;
    numbers[n + 12] = e.cacheHit ? 1 : 0;
    const t = r * TEXT_COUNT;
    const texts = this.texts;
    texts[t] = this.code(0, e.keyId);
    texts[t + 1] = this.code(1, e.provider);
    texts[t + 2] = this.code(2, e.model);
    texts[t + 3] = this.code(3, e.sessionId);
    texts[t + 4] = this.code(4, e.user);
    texts[t + 5] = this.code(5, e.errorCode);
    texts[t + 6] = this.code(6, e.deployment);
    texts[t + 7] = this.code(7, e.attemptLog);
    this.requestIds.push(e.requestId);
    this.count = r + 1;
  }

  packed(): PackedUsage {
    return {
      rows: this.count,
      requestIds: this.requestIds,
      numbers: this.numbers,
      texts: this.texts,
      strings: this.strings,
    };
  }

  /** The events back (rounded as stored: whole milliseconds). For tests and fakes. */
  events(): UsageEvent[] {
    const p = this.packed();
    return Array.from({ length: p.rows }, (_, r) => {
      const num = (f: number) => p.numbers[r * NUMBER_COUNT + f] as number;
      const text = (f: number) => {
        const code = p.texts[r * TEXT_COUNT + f] as number;
        return code < 0 ? null : (p.strings[code] as string);
      };
      const nullable = (v: number) => (Number.isNaN(v) ? null : v);
      return {
        requestId: p.requestIds[r] as string,
        keyId: text(0) as string,
        provider: text(1),
        model: text(2),
        sessionId: text(3),
        user: text(4),
        stream: num(0) === 1,
        promptTokens: num(1),
        completionTokens: num(2),
        cachedTokens: num(3),
        reasoningTokens: num(4),
        costUsd: nullable(num(5)),
        estimated: num(6) === 1,
        latencyMs: num(7),
        ttftMs: nullable(num(8)),
        status: num(9),
        errorCode: text(5),
        createdAt: num(10),
        deployment: text(6),
        attempts: num(11),
        attemptLog: text(7),
        cacheHit: num(12) === 1,
      };
    });
  }

  private code(field: number, s: string | null): number {
    if (s === null) return -1;
    if (s === this.lastString[field]) return this.lastCode[field] as number;
    let code = this.codes.get(s);
    if (code === undefined) {
      code = this.strings.length;
      this.strings.push(s);
      this.codes.set(s, code);
    }
    this.lastString[field] = s;
    this.lastCode[field] = code;
    return code;
  }

  private grow(): void {
    const numbers = new Float64Array(this.numbers.length * 2);
    numbers.set(this.numbers);
    this.numbers = numbers;
    const texts = new Int32Array(this.texts.length * 2);
    texts.set(this.texts);
    this.texts = texts;
  }
}

/**
 * One column's values, row after row (NULLs as null): what PostgreSQL's `unnest` takes. The SQLite
 * worker decodes the same way, row by row, in its own source (see sqlite-usage-worker.ts).
 */
export function columnValues(p: PackedUsage, source: ColumnSource): unknown[] {
  const [kind, f] = source;
  return Array.from({ length: p.rows }, (_, r) => {
    if (kind === "id") return p.requestIds[r];
    if (kind === "text") {
      const code = p.texts[r * TEXT_COUNT + f] as number;
      return code < 0 ? null : p.strings[code];
    }
    const v = p.numbers[r * NUMBER_COUNT + f] as number;
    return Number.isNaN(v) ? null : v;
  });
}
