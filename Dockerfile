# One image for every service of docker-compose.yml: `bpsim certs`, `bpsim serve`, `bpsim run`.
FROM node:20-bookworm-slim
WORKDIR /app
# better-sqlite3 ships prebuilt binaries for this platform; the toolchain is the fallback.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ openssl && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json index.ts ./
COPY bin ./bin
COPY simulators ./simulators
COPY proxy ./proxy
COPY scenarios ./scenarios
COPY testing ./testing
# npm ci runs `prepare`, which compiles to dist/ (TypeScript is a dev dependency); then drop the dev dependencies.
RUN npm ci && npm prune --omit=dev
ENV NODE_ENV=production
ENTRYPOINT ["node", "bin/bpsim.js"]
