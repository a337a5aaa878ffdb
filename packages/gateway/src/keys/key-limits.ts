import { z } from "zod";
import type { KeyLimits } from "../store/types.js";

const count = z.number().int().positive().max(1_000_000_000).nullable().optional();

/** Limit fields as the admin API takes and shows them; `null` removes a limit. */
export const limitFields = {
  rpm: count,
  rpd: count,
  tpm: count,
  max_concurrent: count,
  spend_cap_usd: z.number().nonnegative().max(1e9).nullable().optional(),
  spend_period: z.enum(["total", "month"]).optional(),
};

export type LimitFields = {
  rpm?: number | null | undefined;
  rpd?: number | null | undefined;
  tpm?: number | null | undefined;
  max_concurrent?: number | null | undefined;
  spend_cap_usd?: number | null | undefined;
  spend_period?: "total" | "month" | undefined;
};

export function fromLimitFields(f: LimitFields): Partial<KeyLimits> {
  const limits: Partial<KeyLimits> = {};
  if (f.rpm !== undefined) limits.rpm = f.rpm;
  if (f.rpd !== undefined) limits.rpd = f.rpd;
  if (f.tpm !== undefined) limits.tpm = f.tpm;
  if (f.max_concurrent !== undefined) limits.maxConcurrent = f.max_concurrent;
  if (f.spend_cap_usd !== undefined) limits.spendCapUsd = f.spend_cap_usd;
  if (f.spend_period !== undefined) limits.spendPeriod = f.spend_period;
  return limits;
}

export interface LimitView {
  rpm: number | null;
  rpd: number | null;
  tpm: number | null;
  max_concurrent: number | null;
  spend_cap_usd: number | null;
  spend_period: "total" | "month";
}

export function toLimitView(l: KeyLimits): LimitView {
  return {
    rpm: l.rpm,
    rpd: l.rpd,
    tpm: l.tpm,
    max_concurrent: l.maxConcurrent,
    spend_cap_usd: l.spendCapUsd,
    spend_period: l.spendPeriod,
  };
}
