// Seed snippet "Streaming with tool calls", verbatim, after the client setup of chat-completion.ts.
import { MeshAPI } from "meshapi-node-sdk";

const client = new MeshAPI({
  baseUrl: process.env.MESHAPI_BASE_URL ?? "https://api.yourdomain.com",
  token: process.env.MESHAPI_TOKEN ?? "rsk_01JXXXXXXXXXXXXXXXXXXXXXXXXX",
});

const stream = client.chat.completions.create({
  model: "openai/gpt-4o",
  messages: [{ role: "user", content: "What's the weather in Paris?" }],
  tools: [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "Get current weather for a city",
        parameters: {
          type: "object",
          properties: {
            city: { type: "string" },
          },
          required: ["city"],
        },
      },
    },
  ],
  tool_choice: "auto",
  stream: true,
});

for await (const chunk of stream) {
  // handle delta content or tool_calls
  console.log(JSON.stringify(chunk.choices[0]?.delta));
}
