# syntax=docker/dockerfile:1
#
# SCIM Console web image: the built single-page app served by unprivileged
# nginx, which also proxies /api to the server Service.
#
#   docker build -f deploy/web.Dockerfile -t <registry>/scim-console-web:<version> .
#
# Build context: the repository root (see .dockerignore).
#
# Base images are pinned by exact tag. For reproducible builds pin the digests
# as well (FROM image:tag@sha256:<digest>); resolve them once with
#   docker buildx imagetools inspect <image:tag> --format '{{json .Manifest.Digest}}'

############################ build: the Vite bundle ############################
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app

COPY package.json package-lock.json ./
COPY packages/scim/package.json packages/scim/package.json
COPY packages/api-contract/package.json packages/api-contract/package.json
COPY apps/web/package.json apps/web/package.json
# The web build needs no install scripts (Vite 8 bundles with rolldown); skipping
# them keeps the server's native addons out of this stage.
RUN npm ci --workspace @scim-console/web --include-workspace-root --ignore-scripts --no-audit --no-fund

COPY tsconfig.base.json ./
COPY packages/scim packages/scim
COPY packages/api-contract packages/api-contract
COPY apps/web apps/web
RUN npm run build -w @scim-console/web \
 && test -f apps/web/dist/index.html

############################ runtime: nginx ############################
FROM nginxinc/nginx-unprivileged:1.30.6-alpine-slim AS runtime

# The image's entrypoint renders /etc/nginx/templates/*.template into
# /etc/nginx/conf.d/ at start-up. Only these variables are substituted, so the
# template's nginx $variables (and Kubernetes' service-link variables) are safe.
ENV LISTEN_PORT=8080 \
    SERVER_UPSTREAM=scim-console-server:8080 \
    SCIM_CONNECT_SRC="" \
    HSTS_VALUE="max-age=31536000" \
    NGINX_ENVSUBST_FILTER="^(LISTEN_PORT|SERVER_UPSTREAM|SCIM_CONNECT_SRC|HSTS_VALUE)$"

# The stock server block (welcome page) must never be what runs: without it a
# failed render leaves nginx with no server rather than the wrong one.
# worker_processes "auto" would start one worker per node CPU, whatever the
# container's CPU limit; two workers fit the pod's limits (deploy/k8s).
RUN rm -f /etc/nginx/conf.d/default.conf \
 && sed -i 's/^worker_processes .*/worker_processes 2;/' /etc/nginx/nginx.conf \
 && grep -q '^worker_processes 2;' /etc/nginx/nginx.conf

# Checked before the entrypoint's 20-envsubst-on-templates.sh renders them: a
# bad value stops the container with a message naming it.
COPY --chmod=0755 deploy/nginx/05-check-template-variables.sh /docker-entrypoint.d/05-check-template-variables.sh
COPY deploy/nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/apps/web/dist /usr/share/nginx/html

# nginx-unprivileged runs as uid 101; pid and temp files live in /tmp and the
# rendered config in /etc/nginx/conf.d (both emptyDir volumes under a
# read-only root filesystem, see deploy/k8s/base/web-deployment.yaml).
USER 101
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${LISTEN_PORT}/nginx-health" || exit 1
