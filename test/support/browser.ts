// Debian's Chromium driven by playwright-core. In CI a missing browser fails the run; on a
// developer machine without it the browser tests are reported as skipped.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Express } from 'express';
import { PASSWORD } from './app.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(context: Mocha.Context): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) {
    if (process.env.CI === 'true' || process.env.CI === '1') {
      throw new Error(
        `Chromium not found at ${CHROMIUM_PATH}: CI must install it (apt-get install -y chromium)`,
      );
    }
    context.skip();
    return undefined;
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
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

export async function listen(app: Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Signs `email` in through Loa's login form on `page` and waits for the start page. */
export async function signInWith(page: Page, baseUrl: string, email: string): Promise<Page> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await Promise.all([
    page.waitForURL(`${baseUrl}/`),
    page.getByRole('button', { name: 'Đăng nhập' }).click(),
  ]);
  return page;
}
