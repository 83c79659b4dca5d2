// What goes to the platform: the post's text with its tracked link, and the link codes.
import { randomBytes } from 'node:crypto';

// No look-alike characters (0/o, 1/l/i): codes are read aloud and typed from screenshots.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** 14 characters from 31: about 69 bits, unguessable and distinctive enough to search a feed for. */
export function newLinkCode(length = 14): string {
  const bytes = randomBytes(length * 2);
  let code = '';
  for (let i = 0; code.length < length && i < bytes.length; i += 1) {
    const byte = bytes[i] ?? 0;
    // Rejection sampling keeps every character equally likely.
    if (byte < 248) code += ALPHABET[byte % ALPHABET.length];
  }
  return code.length === length ? code : newLinkCode(length);
}

export function trackedUrl(publicUrl: string, code: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/l/${code}`;
}

/** The text as published: the tracked link is always in it (it is also how reconciliation finds the post). */
export function composeText(text: string, url: string): string {
  const body = text.normalize('NFC').trimEnd();
  return body.includes(url) ? body : `${body}\n\n${url}`;
}
