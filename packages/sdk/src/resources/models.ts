import type { RequestOptions, ResolvedConfig } from "../core/config.js";
import { requestJSON } from "../core/transport.js";

export interface Model {
  /** `provider/model`, the value to pass as `model`. */
  id: string;
  object: "model";
  /** Unix seconds. */
  created: number;
  owned_by: string;
}

export interface ModelList {
  object: "list";
  data: Model[];
}

/** `client.models`: `GET /v1/models`. */
export class Models {
  constructor(private readonly config: ResolvedConfig) {}

  /**
   * The models the gateway routes to.
   *
   * @example
   * const { data } = await client.models.list();
   * console.log(data.map((m) => m.id)); // ["openai/gpt-4o-mini", …]
   */
  list(options?: RequestOptions): Promise<ModelList> {
    return requestJSON<ModelList>(this.config, {
      method: "GET",
      path: "/v1/models",
      streaming: false,
      options,
    });
  }
}
