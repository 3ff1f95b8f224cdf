# One image for the whole stack: each of the three apps (chosen by APP) and the key generator.
# No key is ever part of it: keys are generated at run time into volumes (see docker-compose.yml).
#
#   docker build -t jwt-blast-radius/app:local .
#   docker run --rm jwt-blast-radius/app:local node packages/keys/dist/cli.js modes
#
# Both stages build from NODE_IMAGE: the official slim Node 24 image unless told otherwise. Only what
# that image has is used (node and npm in /usr/local/bin, the `node` user 1000). Without a registry,
# docker/make-base-image.sh makes one from a Node binary, given as the argument:
#
#   docker build --build-arg NODE_IMAGE=jwt-blast-radius/node-runtime:24 -t jwt-blast-radius/app:local .
#
# Legacy-builder compatible: docker-compose v1 builds without BuildKit.

ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Manifests first: the dependency layer is rebuilt only when one of them changes.
COPY package.json package-lock.json ./
COPY apps/auth-service/package.json apps/auth-service/
COPY apps/dashboard-api/package.json apps/dashboard-api/
COPY apps/mobile-api/package.json apps/mobile-api/
COPY packages/keys/package.json packages/keys/
COPY packages/service-kit/package.json packages/service-kit/
COPY packages/attacker/package.json packages/attacker/
COPY packages/process/package.json packages/process/
# Not --omit=optional: turbo's binary is an optional dependency.
RUN npm ci

COPY tsconfig.base.json turbo.json ./
# The attacker's toolkit and the process helpers are built only for the testing entries of keys and
# service-kit, which compile with them; neither reaches the final image.
COPY packages/attacker packages/attacker
COPY packages/process packages/process
COPY packages/keys packages/keys
COPY packages/service-kit packages/service-kit
COPY apps/auth-service apps/auth-service
COPY apps/dashboard-api apps/dashboard-api
COPY apps/mobile-api apps/mobile-api
RUN npx turbo run build && npm prune --omit=dev


FROM ${NODE_IMAGE}
WORKDIR /app
ENV NODE_ENV=production \
    APP=auth-service \
    PORT=3000

# Owned by root: the apps can read their code but not change it. The workspace links in
# node_modules (@jwt-blast-radius/*, the app names) resolve to the folders copied below.
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages/keys/package.json packages/keys/
COPY --from=build /app/packages/keys/dist packages/keys/dist
COPY --from=build /app/packages/service-kit/package.json packages/service-kit/
COPY --from=build /app/packages/service-kit/dist packages/service-kit/dist
COPY --from=build /app/apps/auth-service/package.json apps/auth-service/
COPY --from=build /app/apps/auth-service/dist apps/auth-service/dist
COPY --from=build /app/apps/auth-service/seed apps/auth-service/seed
COPY --from=build /app/apps/dashboard-api/package.json apps/dashboard-api/
COPY --from=build /app/apps/dashboard-api/dist apps/dashboard-api/dist
COPY --from=build /app/apps/mobile-api/package.json apps/mobile-api/
COPY --from=build /app/apps/mobile-api/dist apps/mobile-api/dist

# The key generator's mount points, one per app. A new volume takes the owner and mode of the
# directory it is first mounted on, so these make each key volume writable by `node` alone.
RUN node -e "const fs = require('fs'); \
      fs.mkdirSync('/keygen', { mode: 0o755 }); \
      for (const app of ['auth-service', 'dashboard-api', 'mobile-api']) { \
        fs.mkdirSync('/keygen/' + app, { mode: 0o700 }); \
        fs.chownSync('/keygen/' + app, 1000, 1000); \
      }"

USER node
HEALTHCHECK --interval=2s --timeout=2s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["sh", "-c", "exec node \"apps/$APP/dist/main.js\""]
