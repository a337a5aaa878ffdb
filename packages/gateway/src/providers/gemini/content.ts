import type { RemoteImagePolicy } from "../../config/config.js";
import { type ContentPart, isBlank, readContent } from "../translate/content.js";
import type { DataUrl } from "../translate/data-url.js";
import { type Loc, untranslatable } from "../translate/invalid.js";
import type { RemoteImageFetcher } from "./remote-image.js";

export type Part = Record<string, unknown>;

const VENDOR = "Gemini";
const AUDIO_TYPES: Readonly<Record<string, string>> = { wav: "audio/wav", mp3: "audio/mp3" };

export interface ContentContext {
  fetcher: RemoteImageFetcher;
  policy: RemoteImagePolicy;
  /** CIDR ranges exempt from the "public" policy's private-address refusal. */
  allow?: readonly string[];
  signal: AbortSignal;
  /** The Gemini origin: its Files API URIs are passed by reference rather than downloaded. */
  baseUrl: string;
}

/**
 * Gemini parts for a message's content (reference §4.1): text, inline data for data URLs and audio,
 * `fileData` for Files API URIs, and other http(s) images downloaded and inlined — Gemini cannot fetch
 * arbitrary URLs itself. Downloads run in parallel. Blank text is left out.
 */
export async function contentParts(content: unknown, loc: Loc, ctx: ContentContext): Promise<Part[]> {
  const parts = readContent(VENDOR, content, [...loc, "content"]);
  const converted = await Promise.all(parts.map((part) => toPart(part, ctx)));
  return converted.filter((p): p is Part => p !== undefined);
}

async function toPart(part: ContentPart, ctx: ContentContext): Promise<Part | undefined> {
  switch (part.kind) {
    case "text":
      return isBlank(part.text) ? undefined : { text: part.text };
    case "image": {
      if (part.inline) return inline(part.inline);
      if (isFilesApiUri(part.url, ctx.baseUrl)) return { fileData: { fileUri: part.url } };
      return inline(
        await ctx.fetcher.fetch(
          part.url,
          ctx.policy,
          ctx.signal,
          [...part.loc, "image_url", "url"],
          ctx.allow,
        ),
      );
    }
    case "audio": {
      const mimeType = AUDIO_TYPES[part.format];
      if (!mimeType) {
        throw untranslatable(
          VENDOR,
          [...part.loc, "input_audio", "format"],
          "unsupported_content",
          `audio format "${part.format}"`,
        );
      }
      return { inlineData: { mimeType, data: part.data } };
    }
    case "file":
      if (!part.inline) {
        throw untranslatable(
          VENDOR,
          [...part.loc, "file"],
          "unsupported_content",
          "OpenAI file ids mean nothing to Gemini; send the file inline as file_data",
        );
      }
      return inline(part.inline);
  }
}

function inline(data: DataUrl): Part {
  return { inlineData: { mimeType: data.mimeType, data: data.data } };
}

/** `https://generativelanguage.googleapis.com/v1beta/files/…` (or the configured origin's). */
export function isFilesApiUri(url: string, baseUrl: string): boolean {
  return [baseUrl, "https://generativelanguage.googleapis.com"].some((origin) =>
    url.startsWith(`${origin}/v1beta/files/`),
  );
}
