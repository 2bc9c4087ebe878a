# syntax=docker/dockerfile:1
#
# One image per app from the same file:
#   docker build --build-arg APP=messages -t herald-messages .
#   docker build --build-arg APP=notifications -t herald-notifications .
# (docker-compose.yml does this for both.)

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: all dependencies, compile the chosen app ---------------------------------------------
FROM ${NODE_IMAGE} AS build
ARG APP=messages
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
COPY scripts/build-inbox.js ./scripts/build-inbox.js
# The notifications app also serves the inbox page (/inbox), bundled with esbuild (a dev dependency).
RUN npx nest build "${APP}" && if [ "${APP}" = notifications ]; then node scripts/build-inbox.js; fi

# --- deps: production dependencies only -----------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime: compiled app + production node_modules, non-root ------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG APP=messages
# KAFKAJS_NO_PARTITIONER_WARNING silences kafkajs' start-up notice that its default partitioner
# changed in v2 (Herald never used v1, so there is nothing to migrate).
ENV NODE_ENV=production \
    APP=${APP} \
    HTTP_HOST=0.0.0.0 \
    KAFKAJS_NO_PARTITIONER_WARNING=1
WORKDIR /app
# Files stay root-owned (read-only to the app); it runs as the image's `node` user (uid 1000).
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps/${APP} ./dist/apps/${APP}
COPY scripts/docker-healthcheck.js ./scripts/docker-healthcheck.js
USER 1000:1000
# messages listens on MESSAGES_PORT (3000), notifications on NOTIFICATIONS_PORT (3001).
EXPOSE 3000 3001
HEALTHCHECK --interval=10s --timeout=4s --start-period=40s --retries=6 \
  CMD ["node", "scripts/docker-healthcheck.js"]
# A shell expands ${APP}; exec replaces it so node is PID 1 and receives SIGTERM (graceful shutdown).
CMD ["/bin/sh", "-c", "exec node \"dist/apps/${APP}/apps/${APP}/src/main.js\""]
