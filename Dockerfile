# syntax=docker/dockerfile:1

# ---- build: all dependencies, compile TypeScript to dist/ -------------------------------------------
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts follow the `allowScripts` policy in package.json.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

# ---- deps: production dependencies only ------------------------------------------------------------
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

# ---- runtime ---------------------------------------------------------------------------------------
FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/app/data
WORKDIR /app
# Application files stay owned by root (read-only for the app); only the embedded database directory is
# writable by the `node` user. It is only used when DATABASE_URL is unset.
RUN mkdir -p /app/data && chown node:node /app/data
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Found at runtime by walking up from dist/libs/database/src to a folder holding libs/database/migrations.
COPY libs/database/migrations ./libs/database/migrations
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# Liveness only: the process answers. Readiness (database reachable) is the orchestrator's probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and receives SIGTERM itself (Nest's shutdown hooks drain and close).
CMD ["node", "dist/apps/api/src/main.js"]
