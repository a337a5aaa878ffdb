// The soak's traffic: a fixed mix by request index (so every run sends the same thing), each kind with
// the statuses it may end in. A 5xx outside a kind's own set is a gateway failure, not an injected one.

const MODEL = "openai/gpt-4o-mini";

/** Out of every 20 requests. `expect` lists the statuses the kind may end in. */
const MIX = [
  ...Array(8).fill({ kind: "stream", stream: true, expect: [200], timed: true }),
  ...Array(6).fill({ kind: "json", stream: false, expect: [200], timed: true }),
  ...Array(2).fill({ kind: "cancel", stream: true, expect: [200], cancel: true }),
  { kind: "upstream_500", stream: false, directive: "status=500", expect: [502] },
  { kind: "upstream_429", stream: false, directive: "status=429", expect: [429] },
  // Failures after the first byte end in an in-band error frame on a 200.
  { kind: "stream_cut", stream: true, directive: "cut_after=3", expect: [200] },
  { kind: "stream_malformed", stream: true, directive: "malformed_after=2", expect: [200] },
];

export function kindOf(i) {
  return MIX[i % MIX.length];
}

/**
 * Sends requests of the mix and keeps the outcome of each. `send(i)` does not wait; `drain()` waits for
 * what is still in flight. At `maxInflight` open requests a new one is skipped and counted, so a stalled
 * gateway cannot make the soak itself grow without bound.
 */
export function traffic({ url, key, maxInflight, elapsedS }) {
  const completed = [];
  const byKind = {};
  const statuses = {};
  const unexpected = {};
  let unexpected5xx = 0;
  let networkErrors = 0;
  let skippedAtCap = 0;
  const inflight = new Set();

  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  async function one(i) {
    const k = kindOf(i);
    const text = `${k.directive ? `[[sim:${k.directive}]] ` : ""}soak request ${i}`;
    const body = { model: MODEL, messages: [{ role: "user", content: text }], stream: k.stream };
    const controller = new AbortController();
    const started = performance.now();
    byKind[k.kind] = (byKind[k.kind] ?? 0) + 1;
    try {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      if (k.cancel && res.body) {
        // The client goes away after the first chunk: the gateway must abort the upstream call.
        const reader = res.body.getReader();
        await reader.read();
        controller.abort();
        await reader.cancel().catch(() => {});
      } else {
        await res.arrayBuffer();
      }
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (!k.expect.includes(res.status)) {
        const label = `${k.kind}:${res.status}`;
        unexpected[label] = (unexpected[label] ?? 0) + 1;
        if (res.status >= 500) unexpected5xx++;
      }
      const ok = res.status >= 200 && res.status < 300;
      completed.push({
        kind: k.kind,
        status: res.status,
        finishedS: elapsedS(),
        ...(k.timed && ok ? { latencyMs: performance.now() - started } : {}),
      });
    } catch (err) {
      if (!(k.cancel && controller.signal.aborted)) {
        networkErrors++;
        const label = `${k.kind}:${err.cause?.code ?? err.name}`;
        unexpected[label] = (unexpected[label] ?? 0) + 1;
      } else {
        completed.push({ kind: k.kind, status: 0, finishedS: elapsedS() });
      }
    }
  }

  return {
    send(i) {
      if (inflight.size >= maxInflight) {
        skippedAtCap++;
        return;
      }
      const p = one(i).finally(() => inflight.delete(p));
      inflight.add(p);
    },
    async drain(timeoutMs) {
      let timer;
      const timeout = new Promise((r) => {
        timer = setTimeout(r, timeoutMs);
      });
      await Promise.race([Promise.allSettled([...inflight]), timeout]);
      clearTimeout(timer);
    },
    results: () => ({ completed, byKind, statuses, unexpected, unexpected5xx, networkErrors, skippedAtCap }),
  };
}

/** The slope of y over x by ordinary least squares, for `[x, y]` points. */
export function leastSquaresSlope(points) {
  const n = points.length;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** The p-th percentile of sorted values (nearest rank). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
