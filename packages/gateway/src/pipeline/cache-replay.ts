import type { CachedAnswer } from "../cache/types.js";
import type { ChatCompletion } from "../providers/openai-types.js";
import type { Accounting } from "./accounting.js";
import type { ChatExchange, ChatResult } from "./chat.js";
import { replayStream } from "./response-cache.js";

/** Answers from the cache: the stored body, or the stored stream replayed event by event. */
export async function replayCached(
  ex: ChatExchange,
  acct: Accounting,
  answer: CachedAnswer,
): Promise<ChatResult> {
  acct.cacheHit(answer.model, answer.provider);
  if (answer.kind === "json") return { kind: "json", body: JSON.parse(answer.body) as ChatCompletion };
  await replayStream(answer, ex.sse(), () => acct.firstToken());
  return { kind: "streamed" };
}
