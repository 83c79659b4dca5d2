// The card renderer's input: one zod schema, texts cleaned (NFC, no control characters)
// before anything else sees them, and the Vietnamese alt text derived from them.
import { z } from 'zod';
import { ValidationError, type FieldProblem } from '../errors.ts';
import { CARD_SIZE_NAMES, type CardLayout, type CardSize } from './card-layouts.ts';
import { cleanText } from './pango-text.ts';

export interface CardInput {
  layout: string;
  size: CardSize;
  headline: string;
  body?: string;
  unitName?: string;
  hotline?: string;
  /** A media-library image (any format sharp reads); drawn darkened under the text. */
  background?: Buffer;
  logo?: Buffer;
  /** A PNG QR code (see renderQrPng); drawn small in a corner on white. */
  qrCode?: Buffer;
  /**
   * The address to draw as a QR code in the layout's QR box (painted module by module, so
   * it is sharper and cheaper than a `qrCode` image). Wins over `qrCode` when both are given.
   */
  qrUrl?: string;
}

/** CardInput after validation: texts cleaned, empty optional texts dropped. */
export interface CleanCardInput extends Omit<CardInput, 'body' | 'unitName' | 'hotline'> {
  body: string | undefined;
  unitName: string | undefined;
  hotline: string | undefined;
}

const MAX_IMAGE_BYTES = 25 * 1024 * 1024;
const text = (max: number) =>
  z
    .string()
    .transform(cleanText)
    .pipe(z.string().max(max, `must be at most ${max} characters`));
const optionalText = (max: number) =>
  text(max)
    .optional()
    .transform((value) => (value === '' ? undefined : value));
const image = z
  .instanceof(Buffer, { message: 'must be image bytes' })
  .refine((b) => b.length > 0 && b.length <= MAX_IMAGE_BYTES, 'must be a non-empty image under 25 MB')
  .optional();

const cardInputSchema = z.strictObject({
  layout: z.string().min(1),
  size: z.enum(CARD_SIZE_NAMES),
  headline: text(200).pipe(z.string().min(1, 'must not be empty')),
  body: optionalText(300),
  unitName: optionalText(120),
  hotline: optionalText(40),
  background: image,
  logo: image,
  qrCode: image,
  qrUrl: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) address' })
    .max(500)
    .optional(),
});

function toProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(input)', message: issue.message }));
}

/** Parses unknown input into a clean CardInput, or throws ValidationError listing every field. */
export function parseCardInput(input: unknown, layouts: ReadonlyMap<string, CardLayout>): CleanCardInput {
  const result = cardInputSchema.safeParse(input);
  const problems = result.success ? [] : toProblems(result.error);
  const layoutName = result.success ? result.data.layout : undefined;
  if (layoutName !== undefined && !layouts.has(layoutName)) {
    problems.push({ path: 'layout', message: `unknown layout; one of: ${[...layouts.keys()].join(', ')}` });
  }
  if (!result.success || problems.length > 0) throw new ValidationError(problems, 'Invalid card input');
  const data = result.data;
  return { ...data, body: data.body, unitName: data.unitName, hotline: data.hotline };
}

/** Alt text in Vietnamese: what the card says, in reading order, one line. */
export function cardAltText(input: CleanCardInput, layout: CardLayout): string {
  const sentence = (s: string) => s.replace(/\s+/g, ' ').replace(/[\s.:;,!?…]+$/u, '');
  const parts = [
    layout.kicker ? `Thẻ ảnh ${sentence(layout.kicker).toLocaleLowerCase('vi')}` : 'Thẻ ảnh',
    sentence(input.headline),
    input.body ? sentence(input.body) : undefined,
    input.unitName ? `Đơn vị: ${sentence(input.unitName)}` : undefined,
    input.hotline ? `${layout.hotlineLabel}: ${sentence(input.hotline)}` : undefined,
  ];
  return `${parts.filter((p): p is string => Boolean(p)).join('. ')}.`;
}
