import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * No Docker engine runs the tests, so the container files are checked for what would break a
 * deployment: a service without a health check, a gateway that cannot reach PostgreSQL or Redis by
 * its service name, a COPY of a path that does not exist, a root process.
 */
const root = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, "utf8");

interface Service {
  image?: string;
  build?: unknown;
  ports?: string[];
  expose?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

const compose = parse(read("docker-compose.yml"), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const gateways = Object.keys(services).filter((name) => name.startsWith("gateway-"));

/** Every variable name the gateway reads from its environment, from its source. */
function knownVariables(): Set<string> {
  const sources = ["config/config.ts", "observe/observe-config.ts", "config/vendors.ts"].map((f) =>
    read(`packages/gateway/src/${f}`),
  );
  const names = new Set<string>();
  for (const src of sources) for (const m of src.matchAll(/\b(?:MESHAPI|OTEL)_[A-Z_]+\b/g)) names.add(m[0]);
  for (const vendor of ["OPENAI", "ANTHROPIC", "GEMINI"]) names.add(`${vendor}_API_KEY`);
  return names;
}

describe("docker-compose.yml", () => {
  it("runs PostgreSQL, Redis, two gateways and one load balancer", () => {
    expect(Object.keys(services).sort()).toEqual(["gateway-1", "gateway-2", "lb", "postgres", "redis"]);
    expect(gateways).toHaveLength(2);
  });

  it("publishes exactly one port, the load balancer's", () => {
    const published = Object.entries(services).filter(([, s]) => s.ports?.length);
    expect(published.map(([name]) => name)).toEqual(["lb"]);
    expect(services.lb?.ports?.[0]).toMatch(/:8787$/);
  });

  it("gives every service a health check", () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.healthcheck?.test, name).toEqual(expect.any(Array));
      expect((s.healthcheck?.test ?? []).length, name).toBeGreaterThan(1);
    }
  });

  it("points each gateway at PostgreSQL and Redis by service name, with the database's own credentials", () => {
    const pg = services.postgres?.environment ?? {};
    for (const name of gateways) {
      const env = services[name]?.environment ?? {};
      // Compose fills `${VAR:-default}` in; any value will do to read the URL's parts.
      const db = new URL(env.MESHAPI_DATABASE_URL?.replace(/\$\{[^}]*\}/g, "x") ?? "");
      expect(db.hostname).toBe("postgres");
      expect(db.username).toBe(pg.POSTGRES_USER);
      expect(db.pathname).toBe(`/${pg.POSTGRES_DB}`);
      expect(new URL(env.MESHAPI_REDIS_URL ?? "").hostname).toBe("redis");
      expect(env.MESHAPI_HOST).toBe("0.0.0.0");
      // No default admin token: compose refuses to start without one.
      expect(env.MESHAPI_ADMIN_TOKEN).toMatch(/^\$\{MESHAPI_ADMIN_TOKEN:\?/);
    }
  });

  it("sets only variables the gateway reads", () => {
    const known = knownVariables();
    for (const name of gateways) {
      for (const variable of Object.keys(services[name]?.environment ?? {}))
        expect(known, variable).toContain(variable);
    }
  });

  it("starts gateways after healthy stores, and the second after the first (one runs the migrations)", () => {
    for (const name of gateways) {
      const deps = services[name]?.depends_on ?? {};
      expect(deps.postgres?.condition).toBe("service_healthy");
      expect(deps.redis?.condition).toBe("service_healthy");
    }
    expect(services["gateway-2"]?.depends_on?.["gateway-1"]?.condition).toBe("service_healthy");
    for (const name of gateways) expect(services.lb?.depends_on?.[name]?.condition).toBe("service_healthy");
  });

  it("balances over exactly the gateway services, from a config file that exists", () => {
    const mount = services.lb?.volumes?.find((v) => v.endsWith(":/etc/nginx/nginx.conf:ro")) ?? "";
    const path = mount.split(":")[0]?.replace(/^\.\//, "") ?? "";
    expect(existsSync(`${root}${path}`)).toBe(true);
    const upstreams = [...read(path).matchAll(/^\s*server ([\w-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(upstreams.sort()).toEqual(gateways.map((g) => `${g}:8787`));
    expect(read(path)).toContain("proxy_buffering off"); // streams must not be held back
  });
});

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [op = "", ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

describe("Dockerfile", () => {
  const all = instructions(read("Dockerfile"));
  const stages: { name: string; body: Instruction[] }[] = [];
  for (const ins of all) {
    if (ins.op === "FROM") stages.push({ name: /\bAS\s+(\S+)/i.exec(ins.args)?.[1] ?? "", body: [] });
    else stages.at(-1)?.body.push(ins);
  }
  const final = stages.at(-1);

  it("is multi-stage, on a slim base, and the last stage copies from the earlier ones", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const from of all.filter((i) => i.op === "FROM"))
      expect(from.args).toMatch(/slim|alpine|distroless/);
    const sources = (final?.body ?? [])
      .filter((i) => i.op === "COPY")
      .map((i) => /--from=(\S+)/.exec(i.args)?.[1])
      .filter(Boolean);
    const earlier = stages.slice(0, -1).map((s) => s.name);
    expect(sources.length).toBeGreaterThan(0);
    for (const s of sources) expect(earlier).toContain(s);
  });

  it("runs as a non-root user", () => {
    const users = (final?.body ?? []).filter((i) => i.op === "USER").map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it("copies only paths that exist in the repository and that .dockerignore lets through", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    const copies = all.filter((i) => (i.op === "COPY" || i.op === "ADD") && !i.args.includes("--from="));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith("--"));
      for (const src of parts.slice(0, -1)) {
        expect(existsSync(`${root}${src}`), src).toBe(true);
        for (const pattern of ignored)
          expect(src.startsWith(pattern.replace(/^\*\*\//, "")), `${src} vs ${pattern}`).toBe(false);
      }
    }
  });

  it("starts the gateway's published bin, listens on the exposed port and checks readiness", () => {
    const bin = (JSON.parse(read("packages/gateway/package.json")) as { bin: Record<string, string> }).bin
      .meshapi;
    expect(read("Dockerfile")).toContain(`/app/packages/gateway/${bin} /usr/local/bin/meshapi`);
    expect(final?.body.find((i) => i.op === "ENTRYPOINT")?.args).toBe('["meshapi"]');
    expect(final?.body.find((i) => i.op === "CMD")?.args).toBe('["serve"]');
    expect(final?.body.find((i) => i.op === "EXPOSE")?.args).toBe("8787");
    expect(final?.body.find((i) => i.op === "ENV")?.args).toContain("MESHAPI_HOST=0.0.0.0");
    expect(final?.body.find((i) => i.op === "HEALTHCHECK")?.args).toContain("/readyz");
  });
});
