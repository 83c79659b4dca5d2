// What Loa's middleware adds to every express request.
import type {} from 'express-session';
import type {} from 'express-serve-static-core';
import type { Actor } from '../auth/actor.ts';
import type { Logger } from '../logger.ts';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
    actor?: Actor;
    /** Translation function for the request's language. */
    t: (key: string, options?: Record<string, unknown>) => string;
    language: 'vi' | 'en';
  }
}

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    csrfToken?: string;
    flash?: { kind: 'success' | 'error'; message: string };
  }
}

export {};
