import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { ColumnSource, PackedUsage } from "./usage-batch.js";

/**
 * The worker's program. Kept as plain JavaScript source (run with `eval`) rather than a separate
 * module file, so that it runs the same from the compiled package and from the TypeScript sources the
 * tests import. A batch arrives packed in columns (see usage-batch.ts) and goes in as multi-row INSERTs
 * of up to `rowsPerStatement` rows, in one transaction; each statement's values are decoded from the
 * columns into one packed array (the same decoding as `columnValues`) and passed as arguments, not as one
 * array argument, which the driver would read element by element through V8's slow property lookup.
 * A prepared statement is kept per row count met.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const { head, tuple, rowsPerStatement, sources, numberCount, textCount } = workerData.insert;
const db = new Database(workerData.file);
db.pragma("busy_timeout = 5000");
db.pragma("synchronous = NORMAL");
const statements = new Map();
function statementFor(rows) {
  let statement = statements.get(rows);
  if (!statement) {
    statement = db.prepare(head + new Array(rows).fill(tuple).join(", "));
    statements.set(rows, statement);
  }
  return statement;
}
function rowValues(p, from, to) {
  const values = [];
  for (let r = from; r < to; r++) {
    for (let c = 0; c < sources.length; c++) {
      const kind = sources[c][0];
      const f = sources[c][1];
      if (kind === "id") values.push(p.requestIds[r]);
      else if (kind === "text") {
        const code = p.texts[r * textCount + f];
        values.push(code < 0 ? null : p.strings[code]);
      } else {
        const v = p.numbers[r * numberCount + f];
        values.push(v !== v ? null : v);
      }
    }
  }
  return values;
}
const insertAll = db.transaction((p) => {
  for (let at = 0; at < p.rows; at += rowsPerStatement) {
    const n = Math.min(rowsPerStatement, p.rows - at);
    statementFor(n).run(...rowValues(p, at, at + n));
  }
});
parentPort.on("message", (message) => {
  try {
    insertAll(message.batch);
    parentPort.postMessage({ id: message.id });
  } catch (err) {
    parentPort.postMessage({ id: message.id, error: String((err && err.message) || err) });
  }
});
`;

/**
 * A multi-row INSERT: `head` + `tuple` repeated, comma-separated, one placeholder per column, each
 * column's value taken from `sources` (see USAGE_COLUMNS).
 */
export interface MultiRowInsert {
  head: string;
  tuple: string;
  rowsPerStatement: number;
  sources: readonly ColumnSource[];
  numberCount: number;
  textCount: number;
}

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Runs SQLite's share of usage accounting — B-tree and index updates, ~5 µs per event — on a worker
 * thread with its own connection to the same file, so the event loop that serves requests never
 * waits on the disk. WAL mode lets it write while the main connection reads; busy_timeout queues it
 * behind the rare key or template write. A crashed worker fails its pending batches (the usage writer
 * retries them) and is replaced on the next batch.
 */
export class SqliteUsageWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly statement: MultiRowInsert,
  ) {}

  /** Inserts the batch's rows in one transaction: all of them, or none and a rejection. */
  insert(batch: PackedUsage): Promise<void> {
    if (this.closed) return Promise.reject(new Error("usage worker is closed"));
    const worker = this.worker ?? this.spawn();
    const id = ++this.nextId;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Only pending writes keep the process alive; an idle worker must not block exit.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, batch });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll(new Error("usage worker closed before the write finished"));
  }

  private spawn(): Worker {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, file: this.file, insert: this.statement },
      // Its own V8 heap: it only decodes a batch and hands it to SQLite, so a small young generation
      // (V8 would otherwise grow it to 16 MB a semi-space) saves resident memory at no cost that counts.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    worker.on("message", (message: { id: number; error?: string }) => {
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.error === undefined) entry.resolve();
      else entry.reject(new Error(message.error));
    });
    const lost = (err: Error) => {
      // `error` is followed by `exit`; and a worker replaced or closed already had its batches failed.
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(err);
    };
    worker.on("error", lost);
    worker.on("exit", (code) => lost(new Error(`usage worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(err);
  }
}
