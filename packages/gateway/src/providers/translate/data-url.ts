/** A `data:` URL split into what vendors want: a MIME type and base64 data. */
export interface DataUrl {
  mimeType: string;
  /** Base64 (standard alphabet), whatever encoding the URL used. */
  data: string;
}

const DATA_URL_RE = /^data:([^,]*?),(.*)$/s;

/**
 * Parses `data:<mime>[;param…][;base64],<data>`; undefined when `url` is not a data URL. Percent-encoded
 * (non-base64) payloads are re-encoded as base64, since every vendor takes base64 only.
 *
 * @example parseDataUrl("data:image/png;base64,iVBOR…") // → { mimeType: "image/png", data: "iVBOR…" }
 */
export function parseDataUrl(url: string): DataUrl | undefined {
  if (!url.startsWith("data:")) return undefined;
  const match = DATA_URL_RE.exec(url);
  if (!match) return undefined;
  const params = (match[1] as string).split(";");
  const isBase64 = params[params.length - 1]?.toLowerCase() === "base64";
  const mimeType = (params[0] || "text/plain").trim().toLowerCase();
  const payload = match[2] as string;
  if (isBase64) return { mimeType, data: payload.replace(/\s+/g, "") };
  let bytes: Buffer;
  try {
    bytes = Buffer.from(decodeURIComponent(payload), "utf8");
  } catch {
    return undefined;
  }
  return { mimeType, data: bytes.toString("base64") };
}
