# syntax=docker/dockerfile:1
# MeshAPI gateway image: build with the whole toolchain, ship only the compiled gateway and its
# production dependencies, run as the unprivileged `node` user. See docs/operations.md.
ARG NODE_VERSION=20

# ---- build: compile TypeScript -----------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# Toolchain for better-sqlite3 when no prebuilt binary matches the platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/gateway/package.json packages/gateway/
COPY packages/testkit/package.json packages/testkit/
COPY packages/sdk/package.json packages/sdk/
# `npm install`, not `npm ci`: see .ci/run (the lock cannot list every platform's Biome binary).
RUN npm install --no-audit --no-fund
COPY packages/gateway/tsconfig.json packages/gateway/
COPY packages/gateway/src packages/gateway/src
RUN npm run build -w @meshapi/gateway

# ---- deps: production dependencies of the gateway only -----------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages/gateway/package.json packages/gateway/
COPY packages/testkit/package.json packages/testkit/
COPY packages/sdk/package.json packages/sdk/
RUN npm install --omit=dev --workspace @meshapi/gateway --no-audit --no-fund && npm cache clean --force

# ---- runtime ------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    MESHAPI_HOST=0.0.0.0 \
    MESHAPI_PORT=8787 \
    MESHAPI_DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /src/packages/gateway/dist ./packages/gateway/dist
COPY --chown=root:root packages/gateway/package.json ./packages/gateway/package.json
COPY --chown=root:root packages/gateway/bin ./packages/gateway/bin
# `meshapi` on the PATH inside the container (docker compose exec gateway-1 meshapi keys list).
RUN ln -s /app/packages/gateway/bin/meshapi.js /usr/local/bin/meshapi \
  && mkdir -p /data && chown node:node /data
# The code is root-owned and read-only to the process; only /data (embedded SQLite) is writable.
USER node
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.MESHAPI_PORT||8787)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["meshapi"]
CMD ["serve"]
