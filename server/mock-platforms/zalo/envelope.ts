// Zalo's answers: always HTTP 200, {"error": 0, "message": "Success", "data": …} on success and
// {"error": <negative>, "message": …} on failure; `error` is the only failure signal.
import type { Request, Response } from 'express';
import { bodyOf } from '../shared/http.ts';

export class ZaloError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const zaloErrors = {
  invalidToken: () => new ZaloError(-216, 'Access token is invalid'),
  expiredToken: (code: -216 | -220) =>
    code === -220
      ? new ZaloError(-220, 'access_token is expired or removed')
      : new ZaloError(-216, 'Access token is invalid'),
  invalidField: (field: string) => new ZaloError(-201, `${field} is invalid!`),
  invalidParam: (message: string) => new ZaloError(-201, message),
  tooLarge: () => new ZaloError(-210, 'Parameter exceeds allowable limit'),
  outOfQuota: () => new ZaloError(-211, 'Out of quota'),
  processing: () => new ZaloError(-214, 'Article is being processed'),
  night: () => new ZaloError(-234, 'This message cannot be sent at night (10:00PM - 6:00AM)'),
  rateLimited: () => new ZaloError(-32, 'Your application reached limit call api'),
  notSupported: () => new ZaloError(-209, 'API is not support'),
  expiredAttachment: () => new ZaloError(-100, 'attachment_id was expired'),
};

export function sendOk(res: Response, data: unknown): void {
  res.status(200).json({ error: 0, message: 'Success', data });
}

export function sendZaloError(res: Response, error: ZaloError): void {
  res.status(200).json({ error: error.code, message: error.message });
}

/** Parameters from the body, the query, or the JSON `data=` query parameter some GETs use. */
export function zaloParams(req: Request): Record<string, unknown> {
  const query = { ...(req.query as Record<string, unknown>) };
  let fromData: Record<string, unknown> = {};
  if (typeof query.data === 'string') {
    try {
      const parsed: unknown = JSON.parse(query.data);
      if (parsed && typeof parsed === 'object') fromData = parsed as Record<string, unknown>;
    } catch {
      throw zaloErrors.invalidField('data');
    }
  }
  return { ...query, ...fromData, ...bodyOf(req) };
}
