// The one outbound client against a tiny local server: bodies arrive as sent, and each way a call
// can fail says correctly whether the platform may have carried it out.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient, HttpFailure } from '../../../server/connectors/http-client.ts';

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

describe('connectors http client', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  const pending = new Set<() => void>();

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => handler(req, Buffer.concat(chunks), res));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(() => {
    for (const release of pending) release();
    pending.clear();
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  it('sends JSON, form and multipart bodies and parses the JSON answer', async () => {
    const seen: { type: string | undefined; body: string }[] = [];
    handler = (req, body, res) => {
      seen.push({ type: req.headers['content-type'], body: body.toString('latin1') });
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-test', 'yes');
      res.end(JSON.stringify({ ok: true, query: req.url }));
    };
    const http = createHttpClient({ timeoutMs: 5000 });
    const json = await http.request({
      method: 'POST',
      url: `${base}/a`,
      query: { q: 'Cảnh báo', skip: undefined },
      body: { kind: 'json', value: { text: 'Cảnh báo' } },
    });
    assert.equal(json.status, 200);
    assert.deepEqual(json.body, { ok: true, query: '/a?q=C%E1%BA%A3nh+b%C3%A1o' });
    assert.equal(json.headers.get('x-test'), 'yes');
    await http.request({
      method: 'POST',
      url: `${base}/b`,
      body: { kind: 'form', fields: { message: 'a b&c' } },
    });
    await http.request({
      method: 'POST',
      url: `${base}/c`,
      body: {
        kind: 'multipart',
        fields: { caption: 'hello' },
        files: [{ field: 'source', data: Buffer.from('PNGDATA'), filename: 'image.png', mime: 'image/png' }],
      },
    });
    assert.equal(seen[0]?.type, 'application/json');
    assert.equal(Buffer.from(seen[0]?.body ?? '', 'latin1').toString('utf8'), '{"text":"Cảnh báo"}');
    assert.equal(seen[1]?.type, 'application/x-www-form-urlencoded');
    assert.equal(seen[1]?.body, 'message=a+b%26c');
    assert.match(seen[2]?.type ?? '', /^multipart\/form-data; boundary=/);
    assert.match(
      seen[2]?.body ?? '',
      /name="source"; filename="image.png"\r\nContent-Type: image\/png\r\n\r\nPNGDATA/,
    );
    assert.match(seen[2]?.body ?? '', /name="caption"\r\n\r\nhello/);
  });

  it('returns non-JSON bodies as text', async () => {
    handler = (_req, _body, res) => {
      res.statusCode = 502;
      res.end('Bad gateway');
    };
    const response = await createHttpClient().request({ method: 'GET', url: `${base}/x` });
    assert.equal(response.status, 502);
    assert.equal(response.body, 'Bad gateway');
  });

  it('times out a write as maybe delivered, and a read as not', async () => {
    handler = (_req, _body, res) => {
      pending.add(() => res.end('{}'));
    };
    const http = createHttpClient({ timeoutMs: 100 });
    await assert.rejects(
      http.request({ method: 'POST', url: `${base}/slow`, body: { kind: 'json', value: {} } }),
      (error: unknown) => error instanceof HttpFailure && error.reason === 'timeout' && error.maybeDelivered,
    );
    await assert.rejects(
      http.request({ method: 'GET', url: `${base}/slow`, timeoutMs: 50 }),
      (error: unknown) => error instanceof HttpFailure && error.reason === 'timeout' && !error.maybeDelivered,
    );
  });

  it('reports a connection closed without an answer as maybe delivered', async () => {
    handler = (req) => {
      req.socket.destroy();
    };
    await assert.rejects(
      createHttpClient().request({ method: 'POST', url: `${base}/drop`, body: { kind: 'form', fields: {} } }),
      (error: unknown) => error instanceof HttpFailure && error.reason === 'network' && error.maybeDelivered,
    );
  });

  it('reports a refused connection as not delivered', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    await assert.rejects(
      createHttpClient().request({
        method: 'POST',
        url: `http://127.0.0.1:${port}/`,
        body: { kind: 'json', value: 1 },
      }),
      (error: unknown) =>
        error instanceof HttpFailure &&
        error.reason === 'network' &&
        !error.maybeDelivered &&
        /ECONNREFUSED/.test(error.message),
    );
  });
});
