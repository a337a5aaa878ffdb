import type { ResolvedConfig } from "../../core/config.js";
import { Completions } from "./completions.js";

/** `client.chat`. */
export class Chat {
  readonly completions: Completions;

  constructor(config: ResolvedConfig) {
    this.completions = new Completions(config);
  }
}
