// The few statistics the bench reports: medians, and how far a median of paired ratios can be trusted.

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A small seeded generator (mulberry32): the same figures give the same interval on every run. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 95 % bootstrap interval of the median: the rounds resampled with replacement `resamples` times,
 * the 2.5th and 97.5th percentiles of those medians. The quartiles say how far apart two rounds are;
 * this says how far the median itself could move in another run of as many rounds, which is what
 * decides whether a row is above or below a target.
 */
export function medianInterval(xs, { resamples = 4000, seed = 1 } = {}) {
  const random = seeded(seed);
  const n = xs.length;
  const medians = new Float64Array(resamples);
  const sample = new Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = xs[Math.floor(random() * n)];
    medians[r] = median(sample);
  }
  medians.sort();
  return [medians[Math.floor(resamples * 0.025)], medians[Math.ceil(resamples * 0.975) - 1]];
}
