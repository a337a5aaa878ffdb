import { MeshAPIAbortError } from "./errors.js";

/**
 * Abort plumbing. Callers often pass one long-lived signal (a server's shutdown signal, a client-level
 * signal) to thousands of calls, so every listener added here is removed when its call ends —
 * otherwise each call would leak a closure on that signal.
 */

/** Forwards an abort of `from` to `to` until the returned function is called. */
export function linkSignal(from: AbortSignal | undefined, to: AbortController): () => void {
  if (!from) return noop;
  if (from.aborted) {
    to.abort(from.reason);
    return noop;
  }
  const forward = () => to.abort(from.reason);
  from.addEventListener("abort", forward, { once: true });
  return () => from.removeEventListener("abort", forward);
}

/** The abort error for a cancelled call, keeping the caller's abort reason as `cause`. */
export function abortErrorFor(signal: AbortSignal): MeshAPIAbortError {
  return new MeshAPIAbortError("The request was aborted.", signal.reason);
}

/** Resolves after `ms`, or rejects with an abort error as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortErrorFor(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortErrorFor(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export function noop(): void {}
