// `npm start` runs this first (prestart): it builds only when dist/ is missing or older than the
// sources, so a second start goes straight to node. Plain JavaScript on purpose: after
// `npm prune --omit=dev` there is no TypeScript, ts-node or Nest CLI, and a current dist/ needs none.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'main.js');
// Not package-lock.json: `npm prune` rewrites it, and dependencies do not change what tsc emits.
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), 0);
}

const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
const changedAt = Math.max(...INPUTS.map((input) => newest(join(root, input))));
if (builtAt > 0 && builtAt >= changedAt) process.exit(0);

const cli = join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
if (!existsSync(cli)) {
  process.stderr.write(
    `${builtAt === 0 ? 'dist/ has not been built' : 'dist/ is older than the sources'} and the Nest CLI is not installed ` +
      '(a production install). Build first: npm ci && npm run build (then npm prune --omit=dev).\n',
  );
  process.exit(1);
}
process.stderr.write(builtAt === 0 ? 'Building dist/ (first start)...\n' : 'Sources changed since the last build: rebuilding dist/...\n');
const result = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
