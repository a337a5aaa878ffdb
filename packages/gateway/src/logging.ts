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
export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination(2),
): Logger {
  return pino(
    { level, base: { service: "meshapi" }, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } },
    destination,
  );
}
