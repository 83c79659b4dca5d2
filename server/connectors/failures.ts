// Shared helpers that turn transport problems into ConnectorFailure, the same way for every platform.
import { HttpFailure, type HttpClient, type HttpRequest, type HttpResponse } from './http-client.ts';
import { ConnectorFailure, type Platform } from './types.ts';

/** Sends the request; a timeout or network error becomes a transient ConnectorFailure. */
export async function send(
  platform: Platform,
  http: HttpClient,
  request: HttpRequest,
): Promise<HttpResponse> {
  try {
    return await http.request(request);
  } catch (error) {
    if (error instanceof HttpFailure) {
      throw new ConnectorFailure(platform, {
        kind: 'transient',
        message: error.message,
        maybeDelivered: error.maybeDelivered,
      });
    }
    throw error;
  }
}

/**
 * The platform said yes but in a shape we do not understand. For a write the platform has probably
 * done it, so the caller must reconcile before resending.
 */
export function unexpectedResponse(platform: Platform, what: string, isWrite: boolean): ConnectorFailure {
  return new ConnectorFailure(platform, {
    kind: 'transient',
    message: `unexpected response shape from ${what}`,
    maybeDelivered: isWrite,
  });
}

/** A standard `Retry-After` header (seconds or an HTTP date), in milliseconds from `now`. */
export function retryAfterHeaderMs(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Waits `ms`; used only between polls of a platform that says "still processing". */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
