import pino, { type Logger } from "pino";

/** Header and field paths that may hold secrets; pino replaces them before a line is written. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  "headers.authorization",
  'headers["x-api-key"]',
  'headers["x-goog-api-key"]',
  "*.apiKey",
  "*.key",
  "key",
];

/** JSON lines on stderr (stdout is for the CLI's own output). Prompts and keys are never logged. */
export function createLogger(level: string, destination: pino.DestinationStream = bufferedStderr()): Logger {
  return pino(
    { level, base: { service: "meshapi" }, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } },
    destination,
  );
}

/** The fields of the one access line per request. */
export interface AccessFields {
  requestId: string;
  clientRequestId: string | undefined;
  method: string;
  url: string;
  status: number;
  ms: number;
  keyId: string | undefined;
}

/**
 * The one-line-per-request log, written to the same destination as `log` in pino's own line format
 * (level, time, service, fields, msg). Its fields are the gateway's own values (ids, method, path,
 * status, timing), never headers or bodies, so the line is put together directly: pino's generic path
 * (redaction, per-key serialisation) cost several times more on every request. Strings are escaped only
 * when they need it, which the gateway's ids and paths almost never do.
 */
export function accessLogger(log: Logger): (fields: AccessFields) => void {
  const destination = (log as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
  if (!destination) return (fields) => log.info(fields, "request");
  const head = `{"level":${log.levels.values.info ?? 30},"time":`;
  return (f) => {
    if (!log.isLevelEnabled("info")) return;
    destination.write(
      `${head}${Date.now()},"service":"meshapi","requestId":"${f.requestId}"${
        f.clientRequestId === undefined ? "" : `,"clientRequestId":"${f.clientRequestId}"`
      },"method":${jsonString(f.method)},"url":${jsonString(f.url)},"status":${f.status},"ms":${f.ms}${
        f.keyId === undefined ? "" : `,"keyId":${jsonString(f.keyId)}`
      },"msg":"request"}\n`,
    );
  };
}

/** Printable ASCII without `"` or `\\` needs no escaping (the usual path); anything else goes through JSON. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
function jsonString(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value);
}

/**
 * stderr, buffered: a write per request line costs more than much of the request's own work. The
 * buffer is flushed when it fills, every 250 ms (so a quiet gateway's lines still show promptly), and
 * on exit (pino registers that). sonic-boom needs minLength below its 16 KiB maxWrite.
 */
function bufferedStderr(): pino.DestinationStream {
  const destination = pino.destination({ dest: 2, sync: false, minLength: 8 * 1024 });
  setInterval(() => {
    try {
      destination.flush();
    } catch {
      // A flush while a write is in flight is retried on the next tick.
    }
  }, 250).unref();
  return destination;
}

/**
 * For conditions that repeat on every request or reconnect (a store down): true at most once per
 * `intervalMs`, so the log says it often enough to alert on without drowning in it.
 */
export function logThrottle(intervalMs = 10_000): () => boolean {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    const now = Date.now();
    if (now - last < intervalMs) return false;
    last = now;
    return true;
  };
}
