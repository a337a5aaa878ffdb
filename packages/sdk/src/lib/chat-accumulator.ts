import type {
  ChatCompletion,
  ChatCompletionChoice,
  ChatCompletionChunk,
  ChatCompletionFinishReason,
  ChatCompletionMessageToolCall,
  ChatCompletionTokenLogprob,
  CompletionUsage,
} from "../resources/chat/types.js";

/**
 * Folds streamed chunks into the `ChatCompletion` the same request would have returned without
 * `stream: true`: content and refusal text, tool calls assembled from fragments keyed by `index`,
 * finish reasons, logprobs, and the usage (with cost) from whichever chunk carried it.
 *
 * @example
 * const acc = new ChatCompletionAccumulator();
 * for await (const chunk of stream) acc.add(chunk);
 * const completion = acc.toCompletion();
 */
export class ChatCompletionAccumulator {
  private id = "";
  private created = 0;
  private model = "";
  private systemFingerprint: string | null | undefined;
  private serviceTier: string | null | undefined;
  private usage: CompletionUsage | undefined;
  private readonly choices = new Map<number, ChoiceState>();

  add(chunk: ChatCompletionChunk): void {
    if (!this.id) {
      this.id = chunk.id;
      this.created = chunk.created;
      this.model = chunk.model;
    }
    if (chunk.system_fingerprint != null) this.systemFingerprint = chunk.system_fingerprint;
    if (chunk.service_tier != null) this.serviceTier = chunk.service_tier;
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices) {
      let state = this.choices.get(choice.index);
      if (!state) {
        state = newChoiceState(choice.index);
        this.choices.set(choice.index, state);
      }
      const delta = choice.delta;
      if (delta) {
        if (typeof delta.content === "string") state.content = (state.content ?? "") + delta.content;
        if (typeof delta.refusal === "string") state.refusal = (state.refusal ?? "") + delta.refusal;
        if (delta.tool_calls) addToolCallFragments(state, delta.tool_calls);
      }
      if (choice.finish_reason) state.finishReason = choice.finish_reason;
      if (choice.logprobs?.content) state.logprobs.push(...choice.logprobs.content);
    }
  }

  /** The completion so far; after the last chunk, the final one. */
  toCompletion(): ChatCompletion {
    const choices = [...this.choices.values()].sort((a, b) => a.index - b.index).map(choiceFromState);
    const completion: ChatCompletion = {
      id: this.id,
      object: "chat.completion",
      created: this.created,
      model: this.model,
      choices,
    };
    if (this.usage) completion.usage = this.usage;
    if (this.systemFingerprint !== undefined) completion.system_fingerprint = this.systemFingerprint;
    if (this.serviceTier !== undefined) completion.service_tier = this.serviceTier;
    return completion;
  }
}

interface ToolCallState {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

interface ChoiceState {
  index: number;
  content: string | null;
  refusal: string | null;
  toolCalls: Map<number, ToolCallState>;
  finishReason: ChatCompletionFinishReason | null;
  logprobs: ChatCompletionTokenLogprob[];
}

function newChoiceState(index: number): ChoiceState {
  return { index, content: null, refusal: null, toolCalls: new Map(), finishReason: null, logprobs: [] };
}

function addToolCallFragments(
  state: ChoiceState,
  fragments: NonNullable<ChatCompletionChunk["choices"][number]["delta"]["tool_calls"]>,
): void {
  for (const fragment of fragments) {
    let call = state.toolCalls.get(fragment.index);
    if (!call) {
      call = { index: fragment.index, id: "", name: "", arguments: "" };
      state.toolCalls.set(fragment.index, call);
    }
    // The first fragment of a call carries id and name; some providers repeat them on every
    // fragment, so they are set once rather than concatenated.
    if (fragment.id && !call.id) call.id = fragment.id;
    if (fragment.function?.name && !call.name) call.name = fragment.function.name;
    if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
  }
}

function choiceFromState(state: ChoiceState): ChatCompletionChoice {
  const choice: ChatCompletionChoice = {
    index: state.index,
    message: { role: "assistant", content: state.content },
    finish_reason: state.finishReason,
    logprobs: state.logprobs.length > 0 ? { content: state.logprobs } : null,
  };
  if (state.refusal !== null) choice.message.refusal = state.refusal;
  if (state.toolCalls.size > 0) {
    choice.message.tool_calls = [...state.toolCalls.values()]
      .sort((a, b) => a.index - b.index)
      .map(
        (call): ChatCompletionMessageToolCall => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments },
        }),
      );
  }
  return choice;
}
