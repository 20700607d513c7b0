# syntax=docker/dockerfile:1
# The Rhizome service image: one image for every role (api, worker, retrieval, agent, all),
# chosen by the command (`serve --role api`). Multi-stage: the build stage compiles TypeScript and
# the web bundle with every dependency; the runtime stage holds only production dependencies, the
# compiled `dist/` and the web bundle, and runs as an unprivileged user.
#
#   podman build -t rhizome .        (or docker build; CI: scripts/build-images.sh)
#   docker run -p 8080:8080 rhizome  (embedded PGlite in /var/lib/rhizome; set DATABASE_URL for PostgreSQL)
ARG NODE_IMAGE=docker.io/library/node:24-trixie-slim

FROM ${NODE_IMAGE} AS build
# Behind a TLS-intercepting proxy, pass its CA: --build-arg NODE_EXTRA_CA_CERTS=/path plus a build
# volume with the file (scripts/build-images.sh does). Build-time only: not in the final image.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
ENV NODE_ENV=development
# Manifests first: the dependency layer is reused until they change. --ignore-scripts: the root
# package's `prepare` builds from sources not copied yet; this stage builds explicitly below.
COPY package.json package-lock.json ./
COPY web/package.json web/package.json
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts scripts
COPY bin bin
COPY src src
COPY web web
RUN npm run build \
 && npm run build --workspace web --if-present \
 && mkdir -p web/dist

FROM ${NODE_IMAGE} AS production-dependencies
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
COPY package.json package-lock.json ./
COPY web/package.json web/package.json
# Only the service's production dependencies: the web workspace is a static bundle at run time.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --workspaces=false --include-workspace-root --no-audit --no-fund --ignore-scripts

FROM ${NODE_IMAGE} AS runtime
ARG RHIZOME_VERSION=0.0.0-dev
LABEL org.opencontainers.image.title="rhizome" \
      org.opencontainers.image.description="Agentic GraphRAG on one PostgreSQL (pgvector + Apache AGE)" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${RHIZOME_VERSION}"
ENV NODE_ENV=production \
    RHIZOME_PROFILE=production \
    RHIZOME_HOST=0.0.0.0 \
    RHIZOME_PORT=8080 \
    RHIZOME_DATA_DIR=/var/lib/rhizome
WORKDIR /app
COPY --from=production-dependencies /app/node_modules node_modules
COPY --from=build /app/package.json package.json
COPY --from=build /app/bin bin
COPY --from=build /app/dist dist
COPY --from=build /app/web/dist web/dist
# The data folder (embedded database, local object storage) is the only place the process writes
# besides /tmp; in Kubernetes both are volumes and the root filesystem is read-only.
RUN mkdir -p /var/lib/rhizome && chown 1000:1000 /var/lib/rhizome
USER 1000:1000
EXPOSE 8080
VOLUME ["/var/lib/rhizome"]
# Liveness only (/healthz never touches the database); orchestrators probe /readyz separately.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.RHIZOME_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/rhizome.js"]
CMD ["serve", "--role", "all"]
