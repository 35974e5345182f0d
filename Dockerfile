# syntax=docker/dockerfile:1
# The README's production steps, as a non-root user: npm ci, npm run build, npm prune --omit=dev,
# then node with the heap flags. docker build -t ikoota-calling . && docker run -p 3000:3000 --env-file .env ikoota-calling
# Node 24, the current LTS (CI runs the SQLite suite on it: .ci/test-node24). The work directory is
# made and handed to the node user before USER: only BuildKit creates WORKDIR as the current user,
# other builders (the legacy builder, Podman/Buildah, Kaniko) create it as root.

# --- build: the whole toolchain, thrown away afterwards -----------------------------------------
FROM node:24-bookworm-slim AS build
# better-sqlite3 compiles from source when no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /home/node/app \
 && chown node:node /home/node/app
USER node
WORKDIR /home/node/app
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY --chown=node:node . .
RUN npm run build \
 && npm prune --omit=dev

# --- runtime: dist/ and production dependencies only -------------------------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000
# The default SQLite file lives in data/; mount a volume on it, or set DATABASE_URL to MariaDB/MySQL.
RUN mkdir -p /home/node/app/data \
 && chown -R node:node /home/node/app
USER node
WORKDIR /home/node/app
COPY --from=build --chown=node:node /home/node/app/package.json /home/node/app/package-lock.json ./
COPY --from=build --chown=node:node /home/node/app/node_modules ./node_modules
COPY --from=build --chown=node:node /home/node/app/dist ./dist
VOLUME ["/home/node/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=2", "--max-old-space-size=512", "dist/main.js"]
