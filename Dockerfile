# Images for running Knit and the k8s-bridge in a cluster (k8s-bridge/config/ names them).
#   docker build --target knit -t ghcr.io/knit-dev/knit:0.1.0 .
#   docker build --target bridge -t ghcr.io/knit-dev/knit-bridge:0.1.0 .
# Untested here: the machines Knit is developed on have no Docker engine (docs/kubernetes.md).

FROM node:22-bookworm-slim AS deps
WORKDIR /knit
COPY package.json package-lock.json ./
# workerd and esbuild are installed from npm with their platform binaries (allowScripts in package.json).
RUN npm ci && npm cache clean --force

FROM node:22-bookworm-slim AS knit
WORKDIR /knit
COPY --from=deps /knit/node_modules ./node_modules
COPY package.json tsconfig.json wrangler.toml ./
COPY bin ./bin
COPY src ./src
COPY examples ./examples
ENV KNIT_STATE_DIR=/var/lib/knit
EXPOSE 8080 8081
USER node
ENTRYPOINT ["node_modules/.bin/node", "bin/knit.mjs"]
CMD ["start", "--host", "0.0.0.0", "--pod-revisions"]

FROM node:22-bookworm-slim AS bridge
WORKDIR /knit
COPY --from=deps /knit/node_modules ./node_modules
COPY package.json tsconfig.json ./
# The bridge shares Knit's types and the pod-report contract.
COPY src ./src
COPY k8s-bridge ./k8s-bridge
USER node
ENTRYPOINT ["node_modules/.bin/node", "k8s-bridge/src/main.ts"]
