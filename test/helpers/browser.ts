// Debian's chromium driven by playwright-core (no browser download: the executable is the one
// .ci/run installs). Tests skip with a reason when it is missing, unless WEFT_BROWSER_REQUIRED.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

const CANDIDATES = [process.env.WEFT_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);

export function chromiumPath(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

/** A reason to skip, or false when a browser is there. */
export function noBrowser(): string | false {
  if (chromiumPath()) return false;
  const why = `no chromium (looked at ${CANDIDATES.join(', ')}): .ci/run installs Debian's chromium`;
  if (process.env.WEFT_BROWSER_REQUIRED) throw new Error(why);
  return why;
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no chromium');
  // --no-sandbox: the tests run as root in CI, where chromium's sandbox refuses to start.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
