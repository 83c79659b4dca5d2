// Typed errors. Services throw these; one middleware maps them to JSON or an HTML page.

export interface FieldProblem {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** false: the message is internal; users see a generic one. */
    readonly expose = true,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message = 'Malformed request', details?: unknown) {
    super(400, 'bad_request', message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Sign in first', code = 'unauthorized') {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Your role does not allow this', code = 'forbidden') {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'Resource') {
    super(404, 'not_found', `${what} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict', details?: unknown) {
    super(409, code, message, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'Request body too large') {
    super(413, 'too_large', message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message = 'Unsupported media type') {
    super(415, 'unsupported_media_type', message);
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly problems: FieldProblem[],
    message = 'Validation failed',
  ) {
    super(422, 'validation_failed', message, problems);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests, try again later',
  ) {
    super(429, 'rate_limited', message, { retryAfterSeconds });
  }
}

export type LimitPlatform = 'facebook' | 'zalo';

/**
 * A post that a platform it goes to would refuse (server/posts/post-checks.ts). `code` names the
 * limit; its message is the i18n key `checks.<code>` filled with `params`, in the reader's language.
 */
export interface PlatformProblem {
  channelId: string;
  platform: LimitPlatform;
  /** The post's field at fault: text, title, description, cover, card, mediaIds.<n>, notAfter. */
  field: string;
  code: string;
  params: Record<string, string | number>;
}

export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** 422 with `details:[{channelId, platform, field, code, message, path}]` (API.md, Posts). */
export class PlatformLimitError extends ValidationError {
  constructor(
    readonly limits: PlatformProblem[],
    translate: Translate = (key) => key,
  ) {
    super(
      PlatformLimitError.describe(limits, translate),
      'The post does not fit a platform it goes to (bài chưa đáp ứng giới hạn của nền tảng)',
    );
    this.name = 'PlatformLimitError';
  }

  /** The details in one language; `path` is the field, so forms can show the message next to it. */
  static describe(limits: readonly PlatformProblem[], translate: Translate) {
    return limits.map((p) => ({
      channelId: p.channelId,
      platform: p.platform,
      field: p.field,
      code: p.code,
      path: p.field,
      message: translate(`checks.${p.code}`, {
        ...p.params,
        platform: translate(`checks.platform.${p.platform}`),
      }),
    }));
  }

  localized(translate: Translate) {
    return PlatformLimitError.describe(this.limits, translate);
  }
}
