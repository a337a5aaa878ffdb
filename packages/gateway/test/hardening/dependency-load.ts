import { Agent, request } from "undici";

/**
 * A closed-loop load client: `concurrency` workers, each sending one chat request after another until
 * stopped, keeping every answer's status, request id and arrival time. The crash and dependency tests
 * count usage rows against these answers.
 */

export interface Answer {
  status: number;
  /** The gateway's `x-request-id` (the usage row's request_id); absent if the connection failed. */
  requestId: string | undefined;
  /** Which key sent it (the index into `keys`). */
  key: number;
  /** Date.now() when the whole answer had arrived. */
  at: number;
}

export interface Load {
  readonly answers: Answer[];
  /** Connection errors (no answer at all: refused, reset). */
  readonly failures: number;
  /** Answers so far with `status`. */
  count(status: number): number;
  /** Stops the workers; resolves when every request in flight has ended. */
  stop(): Promise<void>;
}

export function startLoad(options: {
  url: () => string;
  keys: readonly string[];
  concurrency: number;
  body: (n: number) => unknown;
}): Load {
  const answers: Answer[] = [];
  let failures = 0;
  let stopped = false;
  let n = 0;
  // Enough sockets for every worker: the pool must not be the bottleneck, nor queue requests.
  const dispatcher = new Agent({ connections: options.concurrency, pipelining: 1, keepAliveTimeout: 10_000 });
  const worker = async (w: number) => {
    const keyIndex = w % options.keys.length;
    const key = options.keys[keyIndex] as string;
    while (!stopped) {
      const i = n++;
      try {
        const res = await request(`${options.url()}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify(options.body(i)),
          dispatcher,
        });
        await res.body.arrayBuffer();
        const id = res.headers["x-request-id"];
        answers.push({
          status: res.statusCode,
          requestId: typeof id === "string" ? id : undefined,
          key: keyIndex,
          at: Date.now(),
        });
      } catch {
        failures++;
        // The gateway is gone (killed, restarting): do not spin.
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const running = Array.from({ length: options.concurrency }, (_, w) => worker(w));
  return {
    answers,
    get failures() {
      return failures;
    },
    count: (status) => answers.filter((a) => a.status === status).length,
    async stop() {
      stopped = true;
      await Promise.all(running);
      await dispatcher.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
