// `npm start` runs this first (prestart), and `npm run bench` before it measures: it builds only what
// is missing or older than its sources (the service in dist/, the dashboard in dist/dashboard), so a
// second start goes straight to node, and dist/ is whole afterwards.
// Plain JavaScript on purpose: after `npm prune --omit=dev` there is no TypeScript, ts-node, Nest CLI
// or Vite, and a current dist/ needs none. test/dashboard.e2e-spec.ts requires it for the same rule.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
// Not package-lock.json: `npm prune` rewrites it, and dependencies do not change what tsc emits.
const PARTS = {
  service: { built: join('dist', 'main.js'), inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'], tool: join('@nestjs', 'cli', 'bin', 'nest.js'), args: ['build'] },
  // The dashboard bundles the generated API client as well as its own sources.
  dashboard: { built: join('dist', 'dashboard', 'index.html'), inputs: ['dashboard', join('clients', 'typescript', 'src')], tool: join('vite', 'bin', 'vite.js'), args: ['build', '--config', join('dashboard', 'vite.config.mts')] },
};

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), 0);
}

/** 'missing', 'stale' or 'current' for one part. */
function state(name) {
  const part = PARTS[name];
  const built = join(root, part.built);
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  if (builtAt === 0) return 'missing';
  return builtAt >= Math.max(...part.inputs.map((input) => newest(join(root, input)))) ? 'current' : 'stale';
}

/** Builds one part with its own tool; the exit status (0 when built). */
function build(name, stdio = 'inherit') {
  const part = PARTS[name];
  const tool = join(root, 'node_modules', part.tool);
  if (!existsSync(tool)) {
    process.stderr.write(
      `${part.built} is ${state(name)} and its build tool is not installed (a production install). ` +
        'Build first: npm ci && npm run build (then npm prune --omit=dev).\n',
    );
    return 1;
  }
  return spawnSync(process.execPath, [tool, ...part.args], { cwd: root, stdio }).status ?? 1;
}

module.exports = { state, build };

if (require.main === module) {
  // Each part on its own: `nest build` leaves dist/dashboard alone (deleteOutDir is off in
  // nest-cli.json) and Vite empties only dist/dashboard.
  const service = state('service');
  const dashboard = state('dashboard');
  if (service !== 'current') {
    process.stderr.write(service === 'missing' ? 'Building dist/ (first start)...\n' : 'Sources changed since the last build: rebuilding dist/...\n');
    const status = build('service');
    if (status !== 0) process.exit(status);
  }
  if (dashboard !== 'current') {
    process.stderr.write(dashboard === 'missing' ? 'Building the dashboard (dist/dashboard)...\n' : 'Dashboard sources changed: rebuilding dist/dashboard...\n');
    process.exit(build('dashboard'));
  }
}
