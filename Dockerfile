# Ostrakon's image: the official Node 24 LTS image (the version package.json pins as its `node`
# devDependency) running the TypeScript sources directly, as `npm start` does.

# Build stage: every dependency, then the same type check CI runs.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck

# Run stage: production dependencies only, installed in this image so that native modules
# (bcrypt's prebuilt binary, and any other) match its platform. The `node` devDependency is left
# out: the image's own Node 24 runs the server.
FROM node:24.21.0-bookworm-slim
ENV NODE_ENV=production DATA_DIR=/data HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/bin ./bin
COPY --from=build /app/src ./src
COPY --from=build /app/views ./views
COPY --from=build /app/public ./public
COPY --from=build /app/migrations ./migrations
# Uploads and generated secrets live under DATA_DIR: a volume owned by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# package.json's start script, run by the image's Node directly so that SIGTERM reaches the server.
# 16 MB semi-spaces: V8 would grow its young generation to 64 MB each on a large machine; this
# cut the peak resident memory under load by about 50 MB at no measurable CPU cost (issue 11).
CMD ["node", "--max-semi-space-size=16", "src/server.ts"]
