import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyService } from "../../src/keys/key-service.js";
import { openStore } from "../../src/store/open-store.js";
import { MODES, sharedSkipNote } from "../governance/modes.js";
import { built, builtSkipNote, type ProcessRig, startRig, until } from "../governance/processes.js";
import { ask } from "../helpers/harness.js";
import { startLoad } from "./dependency-load.js";

/**
 * `kill -9` of a real `meshapi serve` under 200 concurrent requests: the usage events it can lose are
 * those still in memory, i.e. of requests that ended within the last flush window (the usage writer's
 * interval plus one batch write). Every 2xx answer the client got is matched by request id against
 * the rows found after a restart.
 */

if (!built) console.warn(builtSkipNote);
if (!MODES.find((m) => m.name === "shared")?.enabled) console.warn(sharedSkipNote);

const CONCURRENCY = 200;

/** When the gateway received the request: its id is `req_<ULID>`, whose first 10 characters are the ms. */
function startedAt(requestId: string): number {
  const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  let ms = 0;
  for (const c of requestId.slice(4, 14)) ms = ms * 32 + crockford.indexOf(c);
  return ms;
}
/**
 * What the docs promise (docs/hardening.md): the events lost are of requests answered within the last
 * flush window, 50 ms plus one batch write. The test allows for a machine shared by parallel test runs,
 * where the event loop and the writer's thread can each lag by a few hundred milliseconds.
 */
const WINDOW_BOUND_MS = 1_000;

for (const mode of MODES) {
  describe.skipIf(!mode.enabled || !built)(`kill -9 under load (${mode.name})`, () => {
    let rig: ProcessRig;
    let drop: () => Promise<void>;
    let databaseUrl: string | undefined;
    beforeAll(async () => {
      const setup = await mode.setup("crash");
      drop = setup.drop;
      databaseUrl = setup.env.MESHAPI_DATABASE_URL;
      rig = await startRig(setup.env);
    });
    afterAll(async () => {
      await rig?.close();
      await drop?.();
    });

    /** The usage rows after the crash: request id → [created_at (the request's start), latency_ms]. */
    async function storedRows(): Promise<Map<string, [number, number]>> {
      const sql = "SELECT request_id, created_at, latency_ms FROM usage_events";
      type Row = { request_id: string; created_at: number | string; latency_ms: number };
      let rows: Row[];
      if (databaseUrl) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        rows = (await client.query<Row>(sql).finally(() => client.end())).rows;
      } else {
        const db = new BetterSqlite3(join(rig.dataDir, "meshapi.sqlite"), { readonly: true });
        rows = db.prepare(sql).all() as Row[];
        db.close();
      }
      return new Map(rows.map((r) => [r.request_id, [Number(r.created_at), r.latency_ms]]));
    }

    it("loses only the events of the last flush window", async () => {
      // The key straight into the store (one process start less than the CLI).
      const store = await openStore({ databaseUrl, dataDir: rig.dataDir });
      const { key } = await new KeyService(store).create("crash").finally(() => store.close());
      const server = await rig.serve();
      const load = startLoad({
        url: () => server.url,
        keys: [key],
        concurrency: CONCURRENCY,
        body: (i) => ask(`crash ${i}`),
      });
      // Warm, then a steady stretch, so the kill lands in the middle of ordinary traffic.
      await until(() => load.answers.length >= CONCURRENCY, 20_000);
      const steady = load.answers.length;
      await until(() => load.answers.length >= steady + CONCURRENCY, 20_000);
      const killedAt = Date.now();
      server.child.kill("SIGKILL");
      await server.exited;
      await load.stop();

      // A restart finds the store as the kill left it (SQLite replays its WAL on open; PostgreSQL has
      // every committed batch already, so there the restart only shows the gateway comes back).
      if (!databaseUrl) {
        const restarted = await rig.serve();
        restarted.child.kill("SIGTERM");
        await restarted.exited;
      }

      const stored = await storedRows();
      const answered = load.answers.filter((a) => a.status === 200);
      expect(load.answers.every((a) => a.status === 200 && a.requestId !== undefined)).toBe(true);
      const lost = answered.filter((a) => !stored.has(a.requestId as string));
      // How old the lost events were at the kill: their requests started at `oldestStart` at the
      // earliest (the ids carry the gateway's clock) and took about as long as the last stored ones,
      // so they ended — and their events were recorded — about `latency` later.
      const oldestStart = Math.min(...lost.map((a) => startedAt(a.requestId as string)));
      const recent = [...stored.values()].filter(([at]) => at >= killedAt - 2_000).map(([, ms]) => ms);
      const latency = recent.sort((a, b) => a - b)[Math.floor(recent.length / 2)] ?? 0;
      const sinceStart = lost.length === 0 ? 0 : killedAt - oldestStart;
      console.log(
        `kill -9 (${mode.name}): ${answered.length} answered 200, ${lost.length} of their events lost; ` +
          `their requests started at most ${sinceStart} ms before the kill, and took ~${latency} ms ` +
          `(median of the last stored): events ~${Math.max(0, sinceStart - latency)} ms old were lost`,
      );
      expect(answered.length).toBeGreaterThan(CONCURRENCY);
      // Every answer the client had in hand a window before the kill has its row (the client's clock
      // lags the gateway, if anything, which only loosens this).
      const old = answered.filter((a) => a.at < killedAt - WINDOW_BOUND_MS);
      expect(old.filter((a) => !stored.has(a.requestId as string))).toEqual([]);
    }, 90_000);
  });
}
