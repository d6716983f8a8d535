# syntax=docker/dockerfile:1
# live-end-detector container image.
#   build:    docker build -t live-end-detector:0.1.0 .
#   run:      docker run --rm -p 8080:8080 -e REDIS_URL=redis://host.docker.internal:6379 live-end-detector:0.1.0
# The runtime stage has production dependencies only, runs as a non-root user and has no shell;
# Kubernetes probes (GET /healthz, /readyz) do the health checking, so there is no HEALTHCHECK.
# test/image/runtime-stage-smoke.sh repeats the runtime stage's steps without Docker.

ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot

# --- build: all dependencies, compile TypeScript, copy the Lua scripts into dist/ (nest-cli.json assets) ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY src ./src
RUN npm run build

# --- production dependencies only ---
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime: distroless Node.js 20 (Debian 12, same as bookworm above), user nonroot (65532), no shell ---
FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=8080
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER 65532:65532
EXPOSE 8080
# The image's entrypoint is node itself: this runs `node dist/main.js`.
CMD ["dist/main.js"]
