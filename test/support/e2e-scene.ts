// What a browser test of a whole flow stands on: Chromium, the mock platforms, Loa's app on a
// free port and a worker that publishes; closed together, in reverse order.
import type { Browser, Page } from 'playwright-core';
import type { PublishingTuning } from '../../server/publishing/wiring.ts';
import type { Worker } from '../../server/worker.ts';
import { createTestApp, type TestApp } from './app.ts';
import { launchBrowser, listen, signInWith } from './browser.ts';
import { startTestPlatforms, type TestPlatforms } from './platforms.ts';
import { startTestWorker } from './worker.ts';

export interface E2eScene {
  browser: Browser;
  platforms: TestPlatforms;
  t: TestApp;
  server: Awaited<ReturnType<typeof listen>>;
  worker: Worker;
  /** A phone-sized page (390×844) signed in as `email`; confirm dialogs accepted when asked. */
  signIn(email: string, options?: { acceptDialogs?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

export async function startE2eScene(
  context: Mocha.Context,
  options: { workerId: string; publishingTuning?: PublishingTuning },
): Promise<E2eScene> {
  // Skips the suite (outside CI) when Chromium is missing.
  const browser = (await launchBrowser(context))!;
  const platforms = await startTestPlatforms();
  const t = await createTestApp(
    {},
    {
      platformUrls: platforms.urls,
      mockPlatforms: platforms.mock,
      ...(options.publishingTuning && { publishingTuning: options.publishingTuning }),
    },
  );
  const server = await listen(t.app);
  const worker = await startTestWorker(t, options.workerId);
  return {
    browser,
    platforms,
    t,
    server,
    worker,
    async signIn(email, { acceptDialogs = false } = {}) {
      const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
      if (acceptDialogs) page.on('dialog', (dialog) => void dialog.accept());
      return signInWith(page, server.url, email);
    },
    async close() {
      await browser.close();
      await worker.stop(5_000);
      await server.close();
      await t.close();
      await platforms.close();
    },
  };
}
