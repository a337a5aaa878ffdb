import { monotonicFactory } from "ulid";

const next = monotonicFactory();

/** `req_<ULID>`: sortable by time, unique across processes. */
export function newRequestId(): string {
  return `req_${next()}`;
}

/**
 * An inbound `x-request-id` is kept only as a correlation value in logs, and only when it is short and
 * plain; the gateway always answers with its own id so clients can quote one format to support.
 */
export function safeClientRequestId(value: unknown): string | undefined {
  return typeof value === "string" && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}
