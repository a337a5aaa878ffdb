import type { RequestOptions, ResolvedConfig } from "../../core/config.js";
import { type AwaitableStream, makeAwaitable, Stream } from "../../core/streaming.js";
import { beginCall, openStream, requestJSON } from "../../core/transport.js";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from "./types.js";

/** `client.chat.completions`: `POST /v1/chat/completions`. */
export class Completions {
  constructor(private readonly config: ResolvedConfig) {}

  /**
   * Creates a chat completion. Without `stream` it resolves to the `ChatCompletion`; with
   * `stream: true` it returns a {@link Stream} of chunks at once (iterate it directly, or `await` it
   * first to surface HTTP errors before iterating).
   *
   * @example
   * const completion = await client.chat.completions.create({
   *   model: "openai/gpt-4o-mini",
   *   messages: [{ role: "user", content: "What is the capital of France?" }],
   * });
   *
   * @example
   * const stream = client.chat.completions.create({ model, messages, stream: true });
   * for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? "");
   */
  create(params: ChatCompletionCreateParamsNonStreaming, options?: RequestOptions): Promise<ChatCompletion>;
  create(
    params: ChatCompletionCreateParamsStreaming,
    options?: RequestOptions,
  ): AwaitableStream<ChatCompletionChunk>;
  create(
    params: ChatCompletionCreateParams,
    options?: RequestOptions,
  ): Promise<ChatCompletion> | AwaitableStream<ChatCompletionChunk>;
  create(
    params: ChatCompletionCreateParams,
    options?: RequestOptions,
  ): Promise<ChatCompletion> | AwaitableStream<ChatCompletionChunk> {
    const spec = { method: "POST", path: "/v1/chat/completions", body: params, options } as const;
    if (params.stream !== true) {
      return requestJSON<ChatCompletion>(this.config, { ...spec, streaming: false });
    }
    const { controller, release } = beginCall(this.config, options);
    let opened: ReturnType<typeof openStream>;
    try {
      opened = openStream(this.config, { ...spec, streaming: true }, controller);
    } catch (error) {
      // Invalid per-call options: report them through the stream like any other failure.
      opened = Promise.reject(error);
    }
    const stream = new Stream<ChatCompletionChunk>({ controller, opened, release, accumulate: true });
    return makeAwaitable(stream, opened);
  }
}
