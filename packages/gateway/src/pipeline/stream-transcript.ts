import type { ChatCompletionChunk } from "../providers/openai-types.js";

/** Raw chunk text kept before it is parsed down to the words (bounds the memory of a long stream). */
const RAW_KEEP_CHARS = 256 * 1024;

/**
 * The text a stream's completion tokens were spent on (content and tool arguments), for estimating
 * usage when the vendor reports none. Almost every vendor does, so raw chunks are only kept as they
 * came, and parsed for their words when the text is actually asked for, or when the kept text grows
 * past a bound on a long stream. The words of parsed and raw chunks may join out of order: a token
 * count does not depend on it.
 */
export class StreamTranscript {
  private readonly parts: string[] = [];
  private kept: string[] = [];
  private keptChars = 0;

  addChoice(choice: ChatCompletionChunk["choices"][number]): void {
    const delta = choice.delta;
    if (typeof delta?.content === "string") this.parts.push(delta.content);
    if (delta?.tool_calls)
      for (const call of delta.tool_calls) this.parts.push(call.function?.arguments ?? "");
  }

  addRaw(text: string): void {
    this.kept.push(text);
    this.keptChars += text.length;
    if (this.keptChars > RAW_KEEP_CHARS) this.digest();
  }

  text(): string {
    this.digest();
    return this.parts.join("");
  }

  private digest(): void {
    for (const text of this.kept) {
      try {
        const chunk = JSON.parse(text) as ChatCompletionChunk;
        if (Array.isArray(chunk.choices)) for (const choice of chunk.choices) this.addChoice(choice);
      } catch {
        // Sent to the client as it came; it just adds nothing to the estimate.
      }
    }
    this.kept = [];
    this.keptChars = 0;
  }
}
