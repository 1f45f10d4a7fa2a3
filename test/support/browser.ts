import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { repoPath } from './repo-path';

/**
 * Debian's Chromium (installed by scripts/chromium.sh if missing) driven by playwright-core, with
 * the flags this machine's closed network needs: no background networking, no component updates.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = execFileSync('bash', [repoPath('scripts/chromium.sh')])
    .toString()
    .trim();
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
