# syntax=docker/dockerfile:1
#
# SCIM Console server image (Fastify on Node.js 20).
#
#   docker build -f deploy/server.Dockerfile -t <registry>/scim-console-server:<version> .
#
# Build context: the repository root (see .dockerignore).
#
# Base images are pinned by exact tag. For reproducible builds pin the digest as
# well (resolve it once, then write FROM node:20.20.2-bookworm-slim@sha256:<digest>):
#   docker buildx imagetools inspect node:20.20.2-bookworm-slim --format '{{json .Manifest.Digest}}'
# Node 20 matches the runtime the test suite runs on; see docs/deploy.md on
# moving to the next LTS line.

############################ build: production dependencies ############################
FROM node:20.20.2-bookworm-slim AS build

# better-sqlite3 compiles its native addon when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Manifests first: the dependency layer is reused until they change. Only the
# workspaces the server needs at run time are present; npm ci installs just
# their production dependencies from the lockfile.
COPY package.json package-lock.json ./
COPY packages/scim/package.json packages/scim/package.json
COPY packages/api-contract/package.json packages/api-contract/package.json
COPY apps/server/package.json apps/server/package.json
# The server runs TypeScript through tsx (its `start` script). While tsx is not
# a production dependency of the server workspace, the version the repository
# pins is added, so the image never starts without its loader.
RUN npm ci --omit=dev --workspace @scim-console/server --no-audit --no-fund \
 && if ! npm ls tsx --omit=dev >/dev/null 2>&1; then \
      npm install --no-save --omit=dev --no-audit --no-fund --workspace @scim-console/server \
        "tsx@$(node -p "require('./package.json').devDependencies.tsx")"; \
    fi \
 && npm cache clean --force

COPY tsconfig.base.json ./
COPY packages/scim packages/scim
COPY packages/api-contract packages/api-contract
COPY apps/server apps/server
# Tests are not part of the runtime. Then import the whole application once:
# a module missing from the production tree fails the build, not the first start.
RUN find packages apps -name '*.test.ts' -delete \
 && rm -rf packages/scim/test apps/server/test \
 && cd apps/server \
 && node --import tsx --input-type=module -e "await import('./src/app.ts')"

############################ runtime ############################
FROM node:20.20.2-bookworm-slim AS runtime

# tini as PID 1: forwards SIGTERM to Node (graceful close) and reaps zombies.
# (With plain `docker run`, `--init` does the same; Kubernetes has no such flag.)
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown 1000:1000 /data

ENV NODE_ENV=production \
    SCIM_CONSOLE_PROFILE=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    SQLITE_PATH=/data/scim-console.db

# Application files stay owned by root and read-only to the process; the only
# writable paths are /tmp (tsx's compile cache) and /data (SQLite, single-node
# installs only; with DATABASE_URL nothing is written there).
COPY --from=build /app /app
WORKDIR /app/apps/server

# The image's `node` user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 8080
VOLUME ["/data"]

# Liveness only (/healthz does not touch the database); Kubernetes uses its own
# probes (deploy/k8s), this is for docker/compose. With native TLS
# (TLS_CERT_FILE) point it at https and allow the self-signed chain.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
# Same command as `npm start -w @scim-console/server`, without npm in between
# (npm would be PID 2 and swallow signals).
CMD ["node", "--import", "tsx", "src/main.ts"]
