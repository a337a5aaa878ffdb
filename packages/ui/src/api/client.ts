import type {
  CreatedKey,
  ErrorEnvelope,
  KeyStatus,
  KeyView,
  Limits,
  ProviderHealthList,
  RecentRequests,
  SeriesGroupBy,
  UsageSeries,
} from "./types.js";

/** A failed admin call, carrying the gateway's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function describe(envelope: ErrorEnvelope): string {
  const details = envelope.error.details?.map((d) => `${d.loc.slice(1).join(".")}: ${d.msg}`) ?? [];
  return [envelope.error.message, ...details].join(" ");
}

/** The documented admin API, called with `Authorization: Bearer <admin token>` from the same origin. */
export class AdminClient {
  constructor(private readonly token: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const envelope = json as ErrorEnvelope | undefined;
      if (envelope?.error) throw new ApiError(res.status, envelope.error.code, describe(envelope));
      throw new ApiError(res.status, "http_error", `HTTP ${res.status}`);
    }
    return json as T;
  }

  listKeys(): Promise<{ data: KeyView[] }> {
    return this.call("GET", "/admin/keys");
  }

  createKey(name: string, limits: Partial<Limits>): Promise<CreatedKey> {
    return this.call("POST", "/admin/keys", { name, ...limits });
  }

  updateKey(id: string, patch: Partial<Limits> & { status?: KeyStatus }): Promise<KeyView> {
    return this.call("PATCH", `/admin/keys/${encodeURIComponent(id)}`, patch);
  }

  usageSeries(params: { since: string; groupBy?: SeriesGroupBy }): Promise<UsageSeries> {
    const qs = new URLSearchParams({ since: params.since });
    if (params.groupBy) qs.set("group_by", params.groupBy);
    return this.call("GET", `/admin/usage/series?${qs}`);
  }

  recentRequests(limit = 50): Promise<RecentRequests> {
    return this.call("GET", `/admin/requests?limit=${limit}`);
  }

  providers(window = "15m"): Promise<ProviderHealthList> {
    return this.call("GET", `/admin/providers?window=${encodeURIComponent(window)}`);
  }
}
