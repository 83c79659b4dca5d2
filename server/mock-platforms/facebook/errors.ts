// Graph API errors exactly as the real API sends them: the {"error":{...}} envelope with a
// numeric code (and optional subcode), HTTP 400 for most, 403 for permission codes, 500 for
// codes 1 and 2. Graph never answers 429, even when it throttles.
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';

export class GraphError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly subcode?: number,
    readonly type = 'OAuthException',
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function graphStatus(code: number): number {
  if (code === 1 || code === 2) return 500;
  if (code === 10 || (code >= 200 && code <= 299)) return 403;
  return 400;
}

export function fbtraceId(): string {
  return randomBytes(8)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'x')
    .slice(0, 11);
}

export function graphEnvelope(error: GraphError): Record<string, unknown> {
  return {
    error: {
      message: error.message,
      type: error.type,
      code: error.code,
      ...(error.subcode !== undefined ? { error_subcode: error.subcode } : {}),
      ...error.extra,
      fbtrace_id: fbtraceId(),
    },
  };
}

export function sendGraphError(res: Response, error: GraphError): void {
  if (error.code === 190) {
    res.setHeader(
      'WWW-Authenticate',
      `OAuth "Facebook Platform" "invalid_token" "${error.message.replace(/"/g, "'")}"`,
    );
  }
  res.status(graphStatus(error.code)).json(graphEnvelope(error));
}

/** The answer a status-only fault gives: what Graph would send with that HTTP status. */
export function defaultFaultBody(status: number): Record<string, unknown> {
  if (status >= 500) {
    return graphEnvelope(
      new GraphError(1, 'An unknown error has occurred.', undefined, 'OAuthException', {
        is_transient: true,
      }),
    );
  }
  if (status === 403) return graphEnvelope(permissionError());
  return graphEnvelope(new GraphError(100, '(#100) Invalid parameter'));
}

export function defaultFaultStatus(body: unknown): number {
  const error = (body as { error?: { code?: unknown } } | undefined)?.error;
  return typeof error?.code === 'number' ? graphStatus(error.code) : 400;
}

function fbDate(ms: number): string {
  // Graph's own wording, e.g. "Tuesday, 07-Oct-26 10:00:00 PDT"; UTC keeps it simple.
  const d = new Date(ms);
  const day = d.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${day}, ${pad(d.getUTCDate())}-${months[d.getUTCMonth()]}-${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

export const graphErrors = {
  missingToken: () => new GraphError(104, 'An access token is required to request this resource.'),
  cannotParseToken: () => new GraphError(190, 'Invalid OAuth access token - Cannot parse access token'),
  badAppSecret: () => new GraphError(190, 'Invalid OAuth access token signature.'),
  expiredToken: (expiredMs: number, nowMs: number) =>
    new GraphError(
      190,
      `Error validating access token: Session has expired on ${fbDate(expiredMs)}. The current time is ${fbDate(nowMs)}.`,
      463,
    ),
  revokedToken: (subcode: number) => {
    const reasons: Record<number, string> = {
      458: 'Error validating access token: The user has not authorized application.',
      460: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
      467: 'Error validating access token: The user has logged out.',
      492: 'Error validating access token: The user is not an admin, editor, or moderator of the page.',
    };
    return new GraphError(
      190,
      reasons[subcode] ?? 'Error validating access token: The session is invalid.',
      subcode,
    );
  },
  pageTokenRequired: () => new GraphError(190, '(#190) This method must be called with a Page Access Token'),
  unsupported: (method: string, id: string) =>
    new GraphError(
      100,
      `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      33,
      'GraphMethodException',
    ),
  unknownPath: (edge: string) => new GraphError(2500, `Unknown path components: /${edge}`),
  nonexistingField: (field: string, node: string) =>
    new GraphError(100, `(#100) Tried accessing nonexisting field (${field}) on node type (${node})`),
  invalidParam: (message = 'Invalid parameter', subcode?: number) =>
    new GraphError(100, `(#100) ${message}`, subcode),
  duplicate: () =>
    new GraphError(506, '(#506) Duplicate status message', undefined, 'OAuthException', {
      error_user_title: 'Duplicate Post',
      error_user_msg:
        'This status update is identical to the last one you posted. Try posting something different, or delete your previous update.',
    }),
  invalidSchedule: () => new GraphError(100, '(#100) The specified scheduled publish time is invalid'),
  scheduleOnPublished: () =>
    new GraphError(100, '(#100) You cannot specify a scheduled publish time on a published post'),
  invalidMetric: () => new GraphError(100, '(#100) The value must be a valid insights metric'),
  emptyMetric: () =>
    new GraphError(3001, 'Invalid query', 1504028, 'OAuthException', {
      error_user_title: 'No Metric Specified',
      error_user_msg:
        'No metric was specified to be fetched. Please specify one or more metrics to be fetched and try again.',
    }),
  missingImage: () => new GraphError(324, '(#324) Requires upload file'),
  invalidImage: () => new GraphError(324, '(#324) Missing or invalid image file'),
  photoTooLarge: () =>
    new GraphError(
      100,
      '(#100) Photos should be smaller than 4 MB and saved as JPG, PNG, GIF, TIFF, HEIF or WebP files.',
      1366046,
    ),
  photoAlreadyPosted: () =>
    new GraphError(100, '(#100) The photos you are trying to publish have already been posted.', 1366051),
  noInsightsPermission: () => new GraphError(10, '(#10) Not enough permission to access insights'),
  unsupportedDelete: () => new GraphError(100, '(#100) Unsupported delete request.', 33),
  pageThrottled: () =>
    new GraphError(
      80001,
      'There have been too many calls to this Page account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
      undefined,
      'OAuthException',
      { is_transient: true },
    ),
  appThrottled: (code: number) =>
    code === 4
      ? new GraphError(4, '(#4) Application request limit reached', undefined, 'OAuthException', {
          is_transient: true,
        })
      : new GraphError(32, '(#32) Page request limit reached', undefined, 'OAuthException', {
          is_transient: true,
        }),
};

export function permissionError(): GraphError {
  return new GraphError(
    200,
    '(#200) If posting to a group, requires app being installed in the group, and \\ either publish_to_groups permission with user token, or both pages_read_engagement \\ and pages_manage_posts permission with page token; If posting to a page, \\ requires both pages_read_engagement and pages_manage_posts as an admin with \\ sufficient administrative permission',
  );
}
