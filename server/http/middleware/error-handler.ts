// The one place errors become responses: JSON for the API, an HTML page for the pages.
// Never a stack trace in a body; never a 500 for bad input.
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError } from 'zod';
import {
  AppError,
  NotFoundError,
  PlatformLimitError,
  TooManyRequestsError,
  ValidationError,
} from '../../errors.ts';
import { zodProblems } from '../api-route.ts';

function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || (!req.accepts('html') && Boolean(req.accepts('json')));
}

/** body-parser and multer errors carry a status and a type; map the ones caused by input. */
function fromInputError(error: unknown): AppError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  // A page that parses its input with zod directly: the input was bad, not the server.
  if (error instanceof ZodError) return new ValidationError(zodProblems(error));
  const e = error as { type?: string; status?: number; code?: string; message?: string };
  if (e.type === 'entity.parse.failed')
    return new AppError(400, 'malformed_json', 'The request body is not valid JSON');
  if (e.type === 'entity.too.large' || e.code === 'LIMIT_FILE_SIZE')
    return new AppError(413, 'too_large', 'The request body is too large');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
    return new AppError(415, 'unsupported_media_type', 'Unsupported body encoding');
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_'))
    return new AppError(400, 'bad_request', e.message ?? 'Malformed upload');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return new AppError(e.status, 'bad_request', 'Malformed request');
  return undefined;
}

export const notFound: RequestHandler = (req) => {
  throw new NotFoundError(req.path.startsWith('/api/') ? 'Endpoint' : 'Page');
};

export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const appError = error instanceof AppError ? error : fromInputError(error);
  const status = appError?.status ?? 500;
  if (status >= 500) req.log?.error({ err: error }, 'request failed');
  else req.log?.info({ status, code: appError?.code }, 'request refused');
  if (res.headersSent) return;
  if (error instanceof TooManyRequestsError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
  const code = appError?.code ?? 'internal_error';
  const message = appError && appError.expose ? appError.message : 'Something went wrong on our side';
  // Platform limits are named by code in the service; the reader's language is known only here.
  const details =
    appError instanceof PlatformLimitError && req.t ? appError.localized(req.t) : appError?.details;
  if (wantsJson(req)) {
    res.status(status).json({
      error: { code, message, ...(details !== undefined && { details }) },
    });
    return;
  }
  res.status(status).render('pages/error', {
    title: req.t ? req.t(`errors.title_${status}`, { defaultValue: req.t('errors.title') }) : 'Error',
    status,
    message: req.t ? req.t(`errors.${code}`, { defaultValue: message }) : message,
  });
};
