import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../../logger.ts';

/** Gives each request an id and a child logger, and logs one line when it completes. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    req.id = randomUUID();
    req.log = logger.child({ reqId: req.id });
    const started = process.hrtime.bigint();
    res.setHeader('X-Request-Id', req.id);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info(
        { method: req.method, url: loggedUrl(req.originalUrl), status: res.statusCode, ms: Math.round(ms) },
        'request done',
      );
    });
    next();
  };
}

/** OAuth callbacks carry a code and a state in the query: single-use secrets stay out of the logs. */
const SECRET_PARAMS = ['code', 'state', 'access_token'];

export function loggedUrl(originalUrl: string): string {
  const query = originalUrl.indexOf('?');
  if (query < 0) return originalUrl;
  const params = new URLSearchParams(originalUrl.slice(query + 1));
  if (!SECRET_PARAMS.some((name) => params.has(name))) return originalUrl;
  for (const name of SECRET_PARAMS) if (params.has(name)) params.set(name, 'redacted');
  return `${originalUrl.slice(0, query)}?${params.toString()}`;
}
