import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask } from "../helpers/harness.js";
import { MODES } from "./modes.js";
import { built, builtSkipNote, chat, type ProcessRig, startRig, until } from "./processes.js";

if (!built) console.warn(builtSkipNote);

for (const mode of MODES) {
  describe.skipIf(!mode.enabled || !built)(`usage survives SIGTERM under load (${mode.name})`, () => {
    let rig: ProcessRig;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const setup = await mode.setup("durable");
      drop = setup.drop;
      rig = await startRig(setup.env);
    });
    afterAll(async () => {
      await rig?.close();
      await drop?.();
    });

    it("300 concurrent requests, SIGTERM while they are in flight, restart: usage reports 300", async () => {
      const { id, key } = await rig.createKey();
      const first = await rig.serve();
      const responses = Array.from({ length: 300 }, (_, i) =>
        chat(first.url, key, ask(`load ${i} [[sim:delay_ms=300]]`)).then(async (r) => {
          await r.text();
          return r.status;
        }),
      );
      // Every request is inside the gateway (the simulator holds them) when the signal arrives.
      await until(() => rig.sim.requests().length >= 300, 10_000);
      first.child.kill("SIGTERM");
      const statuses = await Promise.all(responses);
      expect(statuses.filter((s) => s === 200)).toHaveLength(300);
      expect(await first.exited).toBe(0);

      const second = await rig.serve();
      const res = await fetch(`${second.url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } });
      const report = (await res.json()) as { total: { requests: number; completion_tokens: number } };
      expect(report.total.requests).toBe(300);
      const cli = await rig.cli(["usage", "--key", id, "--json"]);
      expect((JSON.parse(cli.stdout) as { total: { requests: number } }).total.requests).toBe(300);
    }, 60_000);
  });
}
