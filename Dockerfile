# Two images. `app`: the whole stack, each of the three apps (chosen by APP) and the key generator.
# `lab`: the lab's commands, run beside the stack on its compose network (docker compose run --rm lab);
# the services' image carries none of its dependencies. No key is ever part of either: keys are
# generated at run time into volumes (see docker-compose.yml).
#
#   docker build --target app -t jwt-blast-radius/app:local .
#   docker run --rm jwt-blast-radius/app:local node packages/keys/dist/cli.js modes
#   docker build --target lab -t jwt-blast-radius/lab:local .
#
# Both stages build from NODE_IMAGE: the official slim Node 24 image unless told otherwise. Only what
# that image has is used (node and npm in /usr/local/bin, the `node` user 1000). Without a registry,
# docker/make-base-image.sh makes one from a Node binary, given as the argument:
#
#   docker build --build-arg NODE_IMAGE=jwt-blast-radius/node-runtime:24 --target app -t jwt-blast-radius/app:local .
#
# Legacy-builder compatible: docker-compose v1 builds without BuildKit, which builds every stage up to the
# target; the lab's stages come last so that building `app` never builds them.

ARG NODE_IMAGE=node:24-slim

# What both images start from: the key volumes' mount points, one per app, where keygen writes them and the
# lab reads them. A new volume takes the owner and mode of the directory it is first mounted on, so these
# make each key volume writable by `node` alone, whichever container creates it.
FROM ${NODE_IMAGE} AS runtime
RUN node -e "const fs = require('fs'); \
      fs.mkdirSync('/keygen', { mode: 0o755 }); \
      for (const app of ['auth-service', 'dashboard-api', 'mobile-api']) { \
        fs.mkdirSync('/keygen/' + app, { mode: 0o700 }); \
        fs.chownSync('/keygen/' + app, 1000, 1000); \
      }"


# What both builds start from.
FROM ${NODE_IMAGE} AS builder
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false


FROM builder AS build

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


FROM runtime AS app
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

USER node
HEALTHCHECK --interval=2s --timeout=2s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["sh", "-c", "exec node \"apps/$APP/dist/main.js\""]


# The lab: every workspace, built, with the production dependencies of them all (Nest for the apps the local
# driver starts, autocannon, playwright-core), then its sources dropped.
FROM builder AS lab-build
COPY package.json package-lock.json ./
COPY apps/auth-service/package.json apps/auth-service/
COPY apps/dashboard-api/package.json apps/dashboard-api/
COPY apps/mobile-api/package.json apps/mobile-api/
COPY apps/lab/package.json apps/lab/
COPY packages/keys/package.json packages/keys/
COPY packages/service-kit/package.json packages/service-kit/
COPY packages/attacker/package.json packages/attacker/
COPY packages/process/package.json packages/process/
COPY packages/stack/package.json packages/stack/
RUN npm ci
COPY tsconfig.base.json turbo.json ./
COPY packages packages
COPY apps apps
RUN npx turbo run build --filter=@jwt-blast-radius/lab... && npm prune --omit=dev \
 && node -e "const fs = require('fs'); \
      const drop = (path) => fs.rmSync(path, { recursive: true, force: true }); \
      for (const root of ['apps', 'packages']) for (const name of fs.readdirSync(root)) { \
        for (const entry of fs.readdirSync(root + '/' + name)) \
          if (entry === 'src' || entry.startsWith('tsconfig')) drop(root + '/' + name + '/' + entry); \
      } \
      for (const path of ['tsconfig.base.json', 'turbo.json', '.turbo']) drop(path);"


FROM runtime AS lab
WORKDIR /app
# The demo and the catalogue find the stack running around them (the compose-network driver): the services by
# their compose names, the mode from the key files in the volumes, mounted read-only where keygen mounts them.
ENV NODE_ENV=production \
    LAB_DRIVER=compose-network
COPY --from=lab-build /app /app
USER node
ENTRYPOINT ["node", "apps/lab/dist/cli/lab.js"]
CMD ["demo"]
