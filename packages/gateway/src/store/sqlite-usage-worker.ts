import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * The worker's program. Kept as plain JavaScript source (run with `eval`) rather than a separate
 * module file, so that it runs the same from the compiled package and from the TypeScript sources the
 * tests import. A batch arrives as one flat array of values (one structured-clone object instead of one
 * per row) and goes in as multi-row INSERTs of up to `rowsPerStatement` rows, in one transaction. The
 * values go in as arguments, not as one array argument, which the driver would read element by element
 * through V8's slow property lookup. Measured on the worker under load: ~6 µs per event with a
 * statement per row (or 50-row statements given one array), ~5 µs as done here. A prepared statement
 * is kept per row count met.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const { head, tuple, columns, rowsPerStatement } = workerData.insert;
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
const insertAll = db.transaction((values, rows) => {
  for (let at = 0; at < rows; at += rowsPerStatement) {
    const n = Math.min(rowsPerStatement, rows - at);
    statementFor(n).run(...(n === rows ? values : values.slice(at * columns, (at + n) * columns)));
  }
});
parentPort.on("message", (message) => {
  try {
    insertAll(message.values, message.rows);
    parentPort.postMessage({ id: message.id });
  } catch (err) {
    parentPort.postMessage({ id: message.id, error: String((err && err.message) || err) });
  }
});
`;

/** A multi-row INSERT: `head` + `tuple` repeated, comma-separated; `columns` placeholders per tuple. */
export interface MultiRowInsert {
  head: string;
  tuple: string;
  columns: number;
  rowsPerStatement: number;
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

  /** `values` holds `rows` rows of `statement.columns` values each, back to back. */
  insert(values: unknown[], rows: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error("usage worker is closed"));
    const worker = this.worker ?? this.spawn();
    const id = ++this.nextId;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Only pending writes keep the process alive; an idle worker must not block exit.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, values, rows });
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
