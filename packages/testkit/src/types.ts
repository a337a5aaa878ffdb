/**
 * Public types of the provider simulator. Everything a test touches is declared here so the
 * server internals can change without breaking callers.
 */

/** One HTTP request the simulator received (control endpoints under `/_sim/` are not recorded). */
export interface RecordedRequest {
  /** Sequential id, `simreq_<n>`, unique for the simulator's lifetime (survives `reset()`). */
  id: string;
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** The raw request target including the query string, e.g. `/v1beta/models/m:streamGenerateContent?alt=sse`. */
  url: string;
  /** Node's lower-cased header map. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or null when the body was empty or not valid JSON. */
  body: unknown;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
  /** HTTP status the simulator answered with; null while no header has been sent. */
  status: number | null;
  /** True when the client disconnected before the response ended (streaming, delayed or `hang`). */
  aborted: boolean;
  /** True once the response was completely written. */
  finished: boolean;
}

/** Keys the simulator accepts, per wire format. A string applies to every format. */
export type SimulatorApiKeys = string | { openai?: string; anthropic?: string; gemini?: string };

export interface SimulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /**
   * When set, requests carrying another key get the vendor's 401. When unset, any non-empty
   * key is accepted (a missing key is still a 401, as with the real APIs).
   */
  apiKey?: SimulatorApiKeys;
  /** Record requests (default true). Benchmarks turn this off. */
  record?: boolean;
  /** How many recent requests to keep (default 2,000) so long benchmarks do not grow memory. */
  maxRecords?: number;
}

export interface Simulator {
  /** Origin, `http://127.0.0.1:PORT`. Use as `ANTHROPIC_BASE_URL` / `GEMINI_BASE_URL`. */
  url: string;
  /** `url + "/v1"`. Use as `OPENAI_BASE_URL` / the OpenAI SDK's `baseURL`. */
  openaiBaseUrl: string;
  /** Recorded requests, oldest first (a snapshot array of live records). */
  requests(): RecordedRequest[];
  /**
   * Polls the log until a request matches `pred`, resolving with it; rejects after `timeoutMs`
   * (default 5,000) with a message listing what was recorded.
   */
  waitFor(pred: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Forgets every recorded request. */
  reset(): void;
  /**
   * Standing faults: directives (the `[[sim:…]]` syntax without the brackets, e.g. `"status=503"`)
   * applied to every model request this simulator receives, or only to the next `count` of them,
   * under the message's own directives. `null` clears them. One simulator per deployment lets a test
   * fail one deployment and not another.
   */
  setFaults(directives: string | null, count?: number): void;
  /** Stops listening and destroys open connections (hung requests included). */
  close(): Promise<void>;
}
