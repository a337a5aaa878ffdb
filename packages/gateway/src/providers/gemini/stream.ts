import { GatewayError } from "../../errors/catalog.js";
import type { ChatCompletionChunk, Usage } from "../openai-types.js";
import type { SseEvent } from "../sse-events.js";
import { ChunkFactory } from "../translate/chunks.js";
import {
  candidateParts,
  geminiFinishReason,
  geminiUsage,
  promptBlocked,
  toolCallOf,
  visibleText,
} from "./response.js";

type Obj = Record<string, unknown>;

/**
 * Gemini stream events (each a whole GenerateContentResponse, reference §3.3) → OpenAI chunks (§4.3):
 * a role chunk first, text parts as content deltas, each functionCall as one complete tool-call delta,
 * the finish chunk when `finishReason` appears (tool_calls if any call was seen), and the last
 * `usageMetadata` as the usage tail once the upstream closes. An `error` object mid-stream throws.
 */
export class GeminiStreamTranslator {
  private readonly out: ChunkFactory;
  private started = false;
  private finished = false;
  private toolCount = 0;
  private usage: Usage | undefined;

  constructor(
    model: string,
    readonly providerName: string,
  ) {
    this.out = new ChunkFactory(model);
  }

  push(response: Obj): ChatCompletionChunk[] {
    if (response.error !== undefined && response.error !== null) throw this.failure(response);
    const chunks: ChatCompletionChunk[] = [];
    if (!this.started) {
      this.started = true;
      if (typeof response.responseId === "string" && response.responseId !== "")
        this.out.id = response.responseId;
      chunks.push(this.out.chunk({ role: "assistant", content: "" }));
    }
    if (response.usageMetadata && typeof response.usageMetadata === "object") {
      this.usage = geminiUsage(response.usageMetadata as Obj);
    }
    const { candidate, parts } = candidateParts(response);
    for (const part of parts) {
      const text = visibleText(part);
      if (text !== undefined) {
        if (text !== "") chunks.push(this.out.chunk({ content: text }));
      } else if (part.functionCall && typeof part.functionCall === "object") {
        const call = toolCallOf(part);
        chunks.push(this.out.chunk({ tool_calls: [{ index: this.toolCount++, ...call }] }));
      }
    }
    if (this.finished) return chunks;
    if (candidate?.finishReason !== undefined) {
      this.finished = true;
      chunks.push(this.out.chunk({}, geminiFinishReason(candidate.finishReason, this.toolCount > 0)));
    } else if (candidate === undefined && promptBlocked(response)) {
      this.finished = true;
      chunks.push(this.out.chunk({}, "content_filter"));
    }
    return chunks;
  }

  /** Called when the upstream closed: the usage tail, or a failure if no finish reason ever came. */
  end(): ChatCompletionChunk[] {
    if (!this.finished) {
      throw new GatewayError("upstream_error", `${this.providerName} closed the stream before it finished.`);
    }
    return this.usage ? [this.out.usage(this.usage)] : [];
  }

  private failure(response: Obj): GatewayError {
    const error = response.error as Obj;
    const message = typeof error?.message === "string" ? error.message : "unknown error";
    const status = typeof error?.status === "string" ? ` (${error.status})` : "";
    return new GatewayError("upstream_error", `${this.providerName} failed mid-stream${status}: ${message}`, {
      providerError: response,
    });
  }
}

export async function* translateGeminiStream(
  events: AsyncIterable<SseEvent>,
  translator: GeminiStreamTranslator,
  parse: (event: SseEvent) => Obj,
): AsyncGenerator<ChatCompletionChunk> {
  for await (const event of events) yield* translator.push(parse(event));
  yield* translator.end();
}
