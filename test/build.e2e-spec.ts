import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUILD_ARGS } from '../bench/lib/build';
import { PROJECT_ROOT } from './support/child-process';

/**
 * Any build leaves a whole dist/: the bench's build command (the one `npm start` runs first too)
 * builds the service with `nest build` and keeps the dashboard already built in dist/dashboard,
 * so `node dist/main.js` still serves /dashboard afterwards.
 *
 * Cheap: a scratch project with this repository's nest-cli.json, tsconfig files and build script,
 * one small source file in place of src/, node_modules linked in, and a dashboard built earlier.
 */
describe('the build leaves dist/ whole', () => {
  let project: string;
  const at = (...parts: string[]) => join(project, ...parts);
  const write = (path: string, text: string) => {
    mkdirSync(dirname(at(path)), { recursive: true });
    writeFileSync(at(path), text);
  };

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'calling-build-'));
    for (const file of ['nest-cli.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build-if-stale.js']) {
      mkdirSync(dirname(at(file)), { recursive: true });
      copyFileSync(join(PROJECT_ROOT, file), at(file));
    }
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), at('node_modules'), 'dir');
    write('src/main.ts', "export const built: string = 'service';\n");
    // The dashboard's sources, older than the dashboard built from them: it is current.
    write('dashboard/main.tsx', 'export {};\n');
    write('clients/typescript/src/index.ts', 'export {};\n');
    const earlier = new Date(Date.now() - 60_000);
    for (const path of ['dashboard/main.tsx', 'dashboard', 'clients/typescript/src/index.ts', 'clients/typescript/src']) utimesSync(at(path), earlier, earlier);
    write('dist/dashboard/index.html', '<!doctype html><title>dashboard</title>\n');
  });
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it("the bench's build command builds the service and keeps dist/dashboard", () => {
    const build = spawnSync(process.execPath, [...BUILD_ARGS], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    expect({ status: build.status, stderr: build.stderr }).toEqual({ status: 0, stderr: expect.stringContaining('Building dist/') });
    expect(readFileSync(at('dist/main.js'), 'utf8')).toContain("'service'");
    expect(existsSync(at('dist/dashboard/index.html'))).toBe(true);
  }, 150_000);
});
