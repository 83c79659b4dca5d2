// Plain-text helpers for posts: free text tidied like template output, a title from its first
// line, a Zalo description, and every platform's length problems in one place.
import { clipText } from '../connectors/platform-limits.ts';
import type { FieldProblem } from '../errors.ts';
import { checkPlatformLimits, ZALO_DESCRIPTION_MAX, ZALO_TITLE_MAX } from './template-render.ts';

/** NFC, unix newlines, no trailing spaces, at most one blank line in a row. */
export function tidyPostText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Cut at a word boundary so a word is never split, adding an ellipsis when cut: the one clipper. */
export const clip = clipText;

/** The first non-empty line, as one line that fits a Zalo article title. */
export function titleFromText(text: string): string {
  const first = text.split('\n').find((line) => line.trim() !== '') ?? '';
  return clip(first.replace(/\s+/g, ' ').trim(), ZALO_TITLE_MAX);
}

/** Zalo's article summary: the text after the title line, as one line, within the limit. */
export function zaloDescription(text: string, title: string): string {
  const lines = text.split('\n').map((l) => l.trim());
  const start = lines[0] === title ? 1 : 0;
  return clip(lines.slice(start).filter(Boolean).join(' ').replace(/\s+/g, ' '), ZALO_DESCRIPTION_MAX);
}

/** The text as Facebook receives it: hashtags on their own last line. */
export function facebookText(text: string, hashtags: readonly string[]): string {
  return hashtags.length > 0 ? `${text}\n\n${hashtags.join(' ')}` : text;
}

export interface PlatformProblems {
  facebook: FieldProblem[];
  zalo: FieldProblem[];
}

export function platformProblems(post: {
  title: string;
  text: string;
  hashtags: readonly string[];
}): PlatformProblems {
  return {
    facebook: checkPlatformLimits(
      { text: facebookText(post.text, post.hashtags), title: post.title },
      'facebook',
    ),
    zalo: checkPlatformLimits(
      { text: post.text, title: post.title, description: zaloDescription(post.text, post.title) },
      'zalo',
    ),
  };
}
