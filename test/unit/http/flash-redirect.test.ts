import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { saveFlashBeforeRedirect } from '../../../server/http/middleware/flash-redirect.ts';
import '../../../server/http/request.ts';

/** A store that takes a while to write, as PostgreSQL does under load. */
class SlowStore extends session.MemoryStore {
  savedAt: number[] = [];
  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    setTimeout(() => {
      super.set(sid, data, (error) => {
        this.savedAt.push(Date.now());
        callback?.(error);
      });
    }, 150);
  }
}

function appWith(store: SlowStore) {
  const app = express();
  app.use(session({ secret: 'x'.repeat(32), resave: false, saveUninitialized: false, store }));
  app.use(saveFlashBeforeRedirect());
  app.post('/act', (req, res) => {
    req.session.flash = { kind: 'success', message: 'Đã gửi bài đi duyệt.' };
    res.redirect(303, '/done');
  });
  app.post('/plain', (_req, res) => res.redirect(303, '/done'));
  return app;
}

/** When the response's head arrived, and where it pointed. */
async function headArrival(url: string): Promise<{ at: number; status: number; location: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST' }, (res) => {
      resolve({ at: Date.now(), status: res.statusCode ?? 0, location: String(res.headers.location) });
      res.resume();
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a redirect that carries a flash message', () => {
  it('reaches the browser only after the session holding the flash is saved', async () => {
    const store = new SlowStore();
    const server = appWith(store).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const head = await headArrival(`http://127.0.0.1:${port}/act`);
      assert.equal(head.status, 303);
      assert.equal(head.location, '/done');
      assert.equal(store.savedAt.length, 1, 'the session was saved once');
      assert.ok(head.at >= store.savedAt[0]!, 'the redirect left before the flash was stored');
      // A redirect without a flash neither waits nor stores an anonymous session.
      const plain = await headArrival(`http://127.0.0.1:${port}/plain`);
      assert.equal(plain.status, 303);
      assert.equal(store.savedAt.length, 1);
    } finally {
      server.close();
    }
  });
});
