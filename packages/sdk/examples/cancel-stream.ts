// Seed snippet "Cancelling a stream", verbatim after the client setup of chat-completion.ts, with
// `messages: [...]` filled in. The `[[sim:...]]` directive makes MeshAPI's test simulator stream
// slowly (400 words, 25 ms apart) so the 5-second cancel fires mid-stream; a real model ignores it.
import { MeshAPI } from "meshapi-node-sdk";

const client = new MeshAPI({
  baseUrl: process.env.MESHAPI_BASE_URL ?? "https://api.yourdomain.com",
  token: process.env.MESHAPI_TOKEN ?? "rsk_01JXXXXXXXXXXXXXXXXXXXXXXXXX",
});

const controller = new AbortController();

// Cancel after 5 seconds
setTimeout(() => controller.abort(), 5_000);

const stream = client.chat.completions.create(
  {
    model: "openai/gpt-4o-mini",
    messages: [{ role: "user", content: "Tell me a long story. [[sim:words=400,chunk_delay_ms=25]]" }],
    stream: true,
  },
  { signal: controller.signal },
);

try {
  for await (const chunk of stream) {
    process.stdout.write(chunk.choices[0]?.delta.content ?? "");
  }
} catch (err) {
  if ((err as Error).name === "AbortError") {
    console.log("Stream cancelled.");
  }
}
