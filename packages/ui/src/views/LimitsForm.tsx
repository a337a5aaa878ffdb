import { useState } from "preact/hooks";
import type { Limits } from "../api/types.js";

const FIELDS: Array<[keyof Omit<Limits, "spend_period">, string]> = [
  ["rpm", "requests / min"],
  ["rpd", "requests / day"],
  ["tpm", "tokens / min"],
  ["max_concurrent", "concurrent"],
  ["spend_cap_usd", "spend cap (USD)"],
];

type Draft = Record<(typeof FIELDS)[number][0], string> & { spend_period: Limits["spend_period"] };

function toDraft(l: Partial<Limits>): Draft {
  const text = (v: number | null | undefined) => (v === null || v === undefined ? "" : String(v));
  return {
    rpm: text(l.rpm),
    rpd: text(l.rpd),
    tpm: text(l.tpm),
    max_concurrent: text(l.max_concurrent),
    spend_cap_usd: text(l.spend_cap_usd),
    spend_period: l.spend_period ?? "total",
  };
}

/** Empty means "no limit" (null); the gateway validates the numbers and its 422 is shown as is. */
function fromDraft(d: Draft): Partial<Limits> {
  const out: Partial<Limits> = { spend_period: d.spend_period };
  for (const [field] of FIELDS) out[field] = d[field].trim() === "" ? null : Number(d[field]);
  return out;
}

interface Props {
  initial?: Partial<Limits>;
  submitLabel: string;
  onSubmit: (limits: Partial<Limits>) => Promise<void>;
  onCancel?: () => void;
}

/** The five limits and the spend period of a key; used to create a key and to edit one. */
export function LimitsForm({ initial = {}, submitLabel, onSubmit, onCancel }: Props) {
  const [draft, setDraft] = useState<Draft>(toDraft(initial));
  const set = (field: keyof Draft, value: string) => setDraft({ ...draft, [field]: value });
  return (
    <form
      class="limits"
      onSubmit={async (e) => {
        e.preventDefault();
        await onSubmit(fromDraft(draft));
      }}
    >
      {FIELDS.map(([field, text]) => (
        <label key={field}>
          {text}
          <input
            name={field}
            type="number"
            min="0"
            step={field === "spend_cap_usd" ? "any" : "1"}
            placeholder="no limit"
            value={draft[field]}
            onInput={(e) => set(field, e.currentTarget.value)}
          />
        </label>
      ))}
      <label>
        cap counts
        <select
          name="spend_period"
          value={draft.spend_period}
          onChange={(e) => set("spend_period", e.currentTarget.value)}
        >
          <option value="total">all spend</option>
          <option value="month">this month</option>
        </select>
      </label>
      <button type="submit">{submitLabel}</button>
      {onCancel && (
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}
