// Small HTTP helpers shared by both mocks: body parsing (form, JSON, multipart), reading a
// parameter wherever the real APIs accept it, and listening on a port.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import type { z } from 'zod';

export function bodyParsers(maxFileBytes: number): RequestHandler[] {
  return [
    express.json({ limit: '5mb', type: ['application/json', 'application/*+json'] }),
    express.urlencoded({ extended: true, limit: '5mb' }),
    multer({ storage: multer.memoryStorage(), limits: { fileSize: maxFileBytes, files: 20 } }).any(),
  ];
}

function bodyRecord(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** A request parameter from the query string or the body (form, JSON or multipart field). */
export function readParam(req: Request, name: string): unknown {
  const query = req.query as Record<string, unknown>;
  if (query[name] !== undefined) return query[name];
  return bodyRecord(req)[name];
}

export function readString(req: Request, name: string): string | undefined {
  const value = readParam(req, name);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function bodyOf(req: Request): Record<string, unknown> {
  return bodyRecord(req);
}

export function uploadedFile(req: Request, field: string): Express.Multer.File | undefined {
  const files = req.files;
  if (!Array.isArray(files)) return undefined;
  return files.find((file) => file.fieldname === field);
}

/** The image type from the file's first bytes, never from the client's claimed type. */
export function sniffImage(bytes: Buffer): 'jpeg' | 'png' | 'gif' | 'webp' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (
    bytes.length >= 8 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'png';
  if (bytes.length >= 6 && bytes.subarray(0, 3).toString('latin1') === 'GIF') return 'gif';
  if (bytes.length >= 12 && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return undefined;
}

/** Control-plane error: plain JSON, since /_mock is not part of any real API. */
export function controlError(res: Response, status: number, message: string, issues?: unknown): void {
  res.status(status).json({ error: issues === undefined ? { message } : { message, issues } });
}

/** Parses a control-plane body; on failure answers 400 and returns undefined. */
export function parseControl<T extends z.ZodType>(
  schema: T,
  input: unknown,
  res: Response,
): z.infer<T> | undefined {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  controlError(res, 400, 'invalid control request', parsed.error.issues);
  return undefined;
}

export interface Listening {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function listen(app: Express, port: number, host: string): Promise<Listening> {
  const server = app.listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    server,
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}
