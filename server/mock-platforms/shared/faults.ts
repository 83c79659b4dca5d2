// Fault injection: the next `times` requests matching {method?, path?} misbehave on purpose.
// status/body: the request is NOT carried out and that answer is returned.
// delayMs: the request IS carried out and the answer leaves that much later.
// drop: the request IS carried out and the socket is destroyed without an answer, the
// "platform accepted it, the client never heard" case.
// /_mock/* is never subject to faults, so a test can always inspect and clean up.
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';

export const faultSchema = z
  .object({
    method: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    times: z.coerce.number().int().positive().default(1),
    status: z.coerce.number().int().min(100).max(599).optional(),
    body: z.unknown().optional(),
    delayMs: z.coerce.number().int().min(0).max(600_000).optional(),
    drop: z.boolean().optional(),
  })
  .refine((f) => f.status !== undefined || f.body !== undefined || f.delayMs !== undefined || f.drop, {
    message: 'a fault needs status, body, delayMs or drop',
  });

export type FaultSpec = z.infer<typeof faultSchema>;

interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number;
}

export interface FaultRegistry {
  add(spec: FaultSpec): { id: number };
  clear(): void;
  list(): ReadonlyArray<ActiveFault>;
  /** Finds and consumes the first fault matching this request. */
  take(method: string, url: string): ActiveFault | undefined;
}

export function createFaultRegistry(): FaultRegistry {
  let faults: ActiveFault[] = [];
  let nextId = 1;
  return {
    add(spec) {
      const fault: ActiveFault = { ...spec, id: nextId++, remaining: spec.times };
      faults.push(fault);
      return { id: fault.id };
    },
    clear() {
      faults = [];
    },
    list: () => faults,
    take(method, url) {
      const fault = faults.find(
        (f) =>
          (f.method === undefined || f.method.toUpperCase() === method.toUpperCase()) &&
          (f.path === undefined || url.includes(f.path)),
      );
      if (!fault) return undefined;
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults = faults.filter((f) => f !== fault);
      return fault;
    },
  };
}

export interface FaultMiddlewareOptions {
  registry: FaultRegistry;
  /** The platform's answer for a fault that gives a status without a body (or neither). */
  defaultBody(status: number): unknown;
  /** The status for a fault that gives a body without a status. */
  defaultStatus(body: unknown): number;
  /** Timers to cancel when the server closes. */
  timers: Set<NodeJS.Timeout>;
}

export function faultMiddleware(options: FaultMiddlewareOptions) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/_mock')) return next();
    const fault = options.registry.take(req.method, req.originalUrl);
    if (!fault) return next();

    if (fault.status !== undefined || fault.body !== undefined) {
      const status = fault.status ?? options.defaultStatus(fault.body);
      const body = fault.body ?? options.defaultBody(status);
      const send = () => {
        if (typeof body === 'string') res.status(status).type('text/plain').send(body);
        else res.status(status).json(body);
      };
      if (fault.delayMs) schedule(options.timers, fault.delayMs, send);
      else send();
      return;
    }

    // Carried out: intercept the moment the handler finishes its answer.
    const originalEnd = res.end.bind(res) as (...args: unknown[]) => Response;
    if (fault.drop) {
      res.end = ((..._args: unknown[]) => {
        req.socket.destroy();
        return res;
      }) as Response['end'];
    } else if (fault.delayMs !== undefined) {
      const delay = fault.delayMs;
      res.end = ((...args: unknown[]) => {
        schedule(options.timers, delay, () => {
          if (!res.socket?.destroyed) originalEnd(...args);
        });
        return res;
      }) as Response['end'];
    }
    next();
  };
}

function schedule(timers: Set<NodeJS.Timeout>, ms: number, fn: () => void) {
  const timer = setTimeout(() => {
    timers.delete(timer);
    fn();
  }, ms);
  timers.add(timer);
}
