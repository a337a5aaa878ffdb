/** Display helpers shared by the views. */

export const usd = (v: number | null): string =>
  v === null ? "–" : v === 0 ? "$0" : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toPrecision(2)}`;

export const count = (v: number): string => v.toLocaleString("en-US");

export const time = (iso: string | null): string =>
  iso === null ? "–" : new Date(iso).toLocaleString("en-GB", { hour12: false });

/** "–" for a missing limit, the number otherwise. */
export const limit = (v: number | null): string => (v === null ? "–" : count(v));
