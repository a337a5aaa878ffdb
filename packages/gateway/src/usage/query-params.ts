import type { z } from "zod";
import { GatewayError } from "../errors/catalog.js";

const SPAN_UNITS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A duration as users write it ("90s", "5m", "1h", "7d", "2w") in ms, or undefined if unreadable. */
export function parseSpan(value: string): number | undefined {
  const m = /^(\d{1,6})([smhdw])$/.exec(value.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * (SPAN_UNITS[m[2] as string] as number);
  return ms > 0 ? ms : undefined;
}

/**
 * Parses an admin route's query string with `schema`; every bad parameter is reported in one 422
 * with `details[].loc` rooted at `query`.
 */
export function parseQuery<T>(schema: z.ZodType<T>, query: unknown, what: string): T {
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    type: issue.code,
    loc: ["query", ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    msg: issue.message,
  }));
  throw new GatewayError("validation_error", `Invalid ${what} query.`, {
    details,
    param: String(details[0]?.loc[1] ?? ""),
  });
}
