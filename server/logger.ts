import { pino, type Logger } from 'pino';

export type { Logger };

/** The one pino root logger; modules take child loggers from it (per request, per job). */
export function createLogger(level: string, name = 'loa'): Logger {
  return pino({
    name,
    level,
    redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.accessToken'],
  });
}
