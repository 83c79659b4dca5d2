// Read-only serving of stored images: uploaded media (/media/files/...) and rendered cards
// (/media/cards/...). Names are content hashes, so a URL's bytes never change: cache for a year.
import path from 'node:path';
import express, { type Router } from 'express';

const YEAR_SECONDS = 365 * 24 * 3600;

export function serveMediaFiles(mediaDir: string): Router {
  const router = express.Router();
  const options = {
    index: false,
    redirect: false,
    dotfiles: 'deny' as const,
    fallthrough: false,
    setHeaders: (res: express.Response) => {
      res.setHeader('Cache-Control', `public, max-age=${YEAR_SECONDS}, immutable`);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      // Platforms and members' browsers load these from other origins (published posts).
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    },
  };
  for (const folder of ['files', 'cards']) {
    router.use(`/media/${folder}`, express.static(path.join(mediaDir, folder), options));
  }
  return router;
}
