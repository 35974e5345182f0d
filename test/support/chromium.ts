import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { describeNeeding } from './requirements';

/**
 * Headless Chromium for the browser tests: Debian's `chromium` (CHROMIUM_PATH elsewhere), driven by
 * playwright-core. Without it the browser tests are skipped with a line saying so, except under
 * CI=true, where a missing browser fails the run.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** No network beyond the pages a test serves: this machine's closed network refuses the rest. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `describe` when Chromium is here (or CI demands it), else `describe.skip` with a line on stderr. */
export function describeInChromium(name: string, tests: () => void): void {
  describeNeeding(name, HAVE_CHROMIUM ? null : `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`, tests);
}

export interface ChromiumSession {
  context: BrowserContext;
  /** Closes the browser and deletes its profile. */
  close(): Promise<void>;
}

/** A fresh browser with its own empty profile; under CI a missing Chromium is an error. */
export async function launchChromium(options: Parameters<typeof import('playwright-core').chromium.launchPersistentContext>[1] = {}): Promise<ChromiumSession> {
  if (!HAVE_CHROMIUM) throw new Error(`CI=true but no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) so the browser tests run`);
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(joinPath(tmpdir(), 'calling-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, { ...options, executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
