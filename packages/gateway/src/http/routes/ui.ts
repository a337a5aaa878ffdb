import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { GatewayError } from "../../errors/catalog.js";

/**
 * Where the built dashboard is: `dist/` of the `@meshapi/ui` workspace package, or undefined when it
 * is not installed or not built (a published gateway without it, or a clone before `npm run build`).
 */
export function findUiDir(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve("@meshapi/ui/package.json");
    const dist = join(dirname(pkg), "dist");
    return existsSync(join(dist, "index.html")) ? dist : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The page holds the admin token, so it may not be framed, may load nothing from elsewhere and may
 * talk to no other origin. uPlot sets inline styles, hence 'unsafe-inline' for styles only.
 */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/**
 * `/ui`: the web dashboard's static files, served by the gateway itself. The files hold no secret;
 * the page asks for the admin token and calls the admin API with it. Without built files, `/ui`
 * answers 404 with how to build them.
 */
export function registerUiRoutes(app: FastifyInstance, dir: string | undefined): void {
  if (!dir) {
    const missing = async () => {
      throw new GatewayError(
        "not_found",
        "The web dashboard is not built: run `npm run build` (or `npm run build -w @meshapi/ui`) and restart the gateway.",
      );
    };
    app.get("/ui", missing);
    app.get("/ui/*", missing);
    return;
  }
  const assets = join(dir, "assets");
  app.register(fastifyStatic, {
    root: dir,
    prefix: "/ui/",
    wildcard: false,
    setHeaders(reply, path) {
      reply.headers(SECURITY_HEADERS);
      // Bundles carry a content hash in their name; index.html must be fetched afresh after an upgrade.
      reply.header(
        "cache-control",
        path.startsWith(assets) ? "public, max-age=31536000, immutable" : "no-cache",
      );
    },
  });
}
