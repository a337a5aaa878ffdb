import type { ResponsesRequest } from "../../../pipeline/responses-request.js";
import type { ChatCompletionChunk } from "../../openai-types.js";
import { functionCallItem, messageItem, responseObject } from "./response.js";

type Obj = Record<string, unknown>;

interface OpenItem {
  outputIndex: number;
  kind: "text" | number;
  item: Obj;
  text: string;
}

/**
 * Turns OpenAI chat chunks (the relay's, with the usage on a last chunk without choices) into the
 * Responses stream: response.created / in_progress, then per output item output_item.added, the
 * content part and its deltas (text) or the argument deltas (function calls), their .done events,
 * output_item.done, and response.completed (or .incomplete) with usage. Every event carries its
 * sequence_number, as the SDK's accumulator expects.
 */
export class ResponsesEventWriter {
  private seq = 0;
  private started = false;
  private open: OpenItem | undefined;
  private readonly done: Obj[] = [];
  private finish: string | null = null;
  private id = "";
  private createdAt = 0;

  constructor(
    private readonly req: ResponsesRequest,
    private readonly model: string,
  ) {}

  push(chunk: ChatCompletionChunk): { event: string; data: Obj }[] {
    const out: { event: string; data: Obj }[] = [];
    const emit = (type: string, data: Obj) =>
      out.push({ event: type, data: { type, sequence_number: this.seq++, ...data } });
    if (!this.started) {
      this.started = true;
      this.id = `resp_${chunk.id.replace(/^chatcmpl-/, "")}`;
      this.createdAt = chunk.created;
      const response = this.snapshot(null);
      emit("response.created", { response });
      emit("response.in_progress", { response });
    }
    const choice = chunk.choices[0];
    if (choice) {
      const delta = choice.delta;
      if (typeof delta?.content === "string" && delta.content !== "") {
        if (this.open?.kind !== "text") {
          this.close(emit);
          this.startItem("text", messageItem(`msg_${this.id.slice(5)}`, "", "in_progress"), emit);
          emit("response.content_part.added", {
            item_id: this.open?.item.id,
            output_index: this.open?.outputIndex,
            content_index: 0,
            part: { type: "output_text", text: "", annotations: [] },
          });
        }
        const open = this.open as OpenItem;
        open.text += delta.content;
        emit("response.output_text.delta", {
          item_id: open.item.id,
          output_index: open.outputIndex,
          content_index: 0,
          delta: delta.content,
          logprobs: [],
        });
      }
      for (const call of delta?.tool_calls ?? []) {
        if (this.open?.kind !== call.index) {
          this.close(emit);
          const itemId = `fc_${this.id.slice(5)}_${call.index}`;
          this.startItem(
            call.index,
            functionCallItem(itemId, call.id ?? "", call.function?.name ?? "", "", "in_progress"),
            emit,
          );
        }
        const open = this.open as OpenItem;
        const args = call.function?.arguments;
        if (args) {
          open.text += args;
          emit("response.function_call_arguments.delta", {
            item_id: open.item.id,
            output_index: open.outputIndex,
            delta: args,
          });
        }
      }
      if (choice.finish_reason) this.finish = choice.finish_reason;
    }
    if (chunk.usage) {
      this.close(emit);
      const response = this.snapshot(chunk.usage);
      emit(response.status === "incomplete" ? "response.incomplete" : "response.completed", { response });
    }
    return out;
  }

  /** The in-band `error` event of a stream that failed after it started. */
  error(code: string, message: string, param: string | null): { event: string; data: Obj } {
    return { event: "error", data: { type: "error", sequence_number: this.seq++, code, message, param } };
  }

  private snapshot(usage: ChatCompletionChunk["usage"]): Obj {
    return responseObject(this.req, {
      id: this.id,
      createdAt: this.createdAt,
      model: this.model,
      output: [...this.done],
      finish: this.finish,
      usage: usage ?? null,
    });
  }

  private startItem(kind: "text" | number, item: Obj, emit: (type: string, data: Obj) => void): void {
    this.open = { outputIndex: this.done.length, kind, item, text: "" };
    emit("response.output_item.added", { output_index: this.open.outputIndex, item });
  }

  private close(emit: (type: string, data: Obj) => void): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    const where = { item_id: open.item.id, output_index: open.outputIndex };
    let item: Obj;
    if (open.kind === "text") {
      const part = { type: "output_text", text: open.text, annotations: [] };
      emit("response.output_text.done", { ...where, content_index: 0, text: open.text, logprobs: [] });
      emit("response.content_part.done", { ...where, content_index: 0, part });
      item = messageItem(String(open.item.id), open.text, "completed");
    } else {
      emit("response.function_call_arguments.done", { ...where, name: open.item.name, arguments: open.text });
      item = { ...open.item, arguments: open.text, status: "completed" };
    }
    this.done.push(item);
    emit("response.output_item.done", { output_index: open.outputIndex, item });
  }
}
