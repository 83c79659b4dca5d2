// Card layouts are data: one YAML file per layout in templates/cards/, giving colours and,
// for every allowed size, the boxes and font sizes of each element. They are validated with
// zod when the renderer is created, so a bad file stops start-up with its name and problem.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** The only sizes a card is rendered at (an allowlist: no caller-chosen dimensions). */
export const CARD_SIZES = {
  feed: { width: 1200, height: 630 },
  square: { width: 1080, height: 1080 },
  'zalo-cover': { width: 1280, height: 720 },
} as const;
export type CardSize = keyof typeof CARD_SIZES;
export const CARD_SIZE_NAMES = Object.keys(CARD_SIZES) as [CardSize, ...CardSize[]];

export const DEFAULT_LAYOUTS_DIR = fileURLToPath(new URL('../../templates/cards/', import.meta.url));

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1a2b3c');
/** [left, top, width, height] in pixels of the card. */
const box = z.tuple([
  z.number().int().min(0),
  z.number().int().min(0),
  z.number().int().min(8),
  z.number().int().min(8),
]);
const textBlock = z.strictObject({
  box,
  maxFontPx: z.number().min(8).max(200),
  minFontPx: z.number().min(8).max(200),
  weight: z.enum(['regular', 'medium', 'semibold', 'bold', 'extrabold']).default('bold'),
  align: z.enum(['left', 'centre', 'right']).default('left'),
  valign: z.enum(['top', 'middle', 'bottom']).default('middle'),
});
const sizeLayout = z.strictObject({
  kicker: textBlock.optional(),
  headline: textBlock,
  body: textBlock,
  band: box,
  unitName: textBlock,
  hotline: textBlock,
  logo: box,
  qr: box,
});
const layoutFile = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  /** A fixed label drawn above the headline, e.g. "CẢNH BÁO LỪA ĐẢO". */
  kicker: z.string().optional(),
  hotlineLabel: z.string().min(1).default('Đường dây nóng'),
  colors: z.strictObject({
    background: colour,
    headline: colour,
    body: colour,
    band: colour,
    bandText: colour,
    kicker: colour,
    kickerText: colour,
  }),
  /** How much a background photo is darkened (1 = unchanged) so white text stays readable. */
  backgroundBrightness: z.number().min(0.1).max(1).default(0.45),
  sizes: z.strictObject({ feed: sizeLayout, square: sizeLayout, 'zalo-cover': sizeLayout }),
});

export type TextBlock = z.infer<typeof textBlock>;
export type Box = z.infer<typeof box>;
export type SizeLayout = z.infer<typeof sizeLayout>;
export interface CardLayout extends z.infer<typeof layoutFile> {
  id: string;
  /** The file's text; part of the card cache key, so editing a layout re-renders its cards. */
  source: string;
}

function boxProblems(layout: z.infer<typeof layoutFile>): string[] {
  const problems: string[] = [];
  for (const sizeName of CARD_SIZE_NAMES) {
    const { width, height } = CARD_SIZES[sizeName];
    for (const [element, value] of Object.entries(layout.sizes[sizeName])) {
      const b: Box | undefined = Array.isArray(value) ? value : value?.box;
      if (b && (b[0] + b[2] > width || b[1] + b[3] > height)) {
        problems.push(`sizes.${sizeName}.${element}: box goes outside the ${width}×${height} card`);
      }
      if (value && !Array.isArray(value) && value.minFontPx > value.maxFontPx) {
        problems.push(`sizes.${sizeName}.${element}: minFontPx is above maxFontPx`);
      }
    }
  }
  return problems;
}

/** Reads and validates every `*.yaml` layout in `dir`; throws naming the file at fault. */
export function loadCardLayouts(dir: string = DEFAULT_LAYOUTS_DIR): Map<string, CardLayout> {
  const layouts = new Map<string, CardLayout>();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  for (const file of files) {
    const id = file.slice(0, -'.yaml'.length);
    const source = readFileSync(path.join(dir, file), 'utf8');
    let parsed: z.infer<typeof layoutFile>;
    try {
      parsed = layoutFile.parse(parseYaml(source));
    } catch (error) {
      const detail =
        error instanceof z.ZodError
          ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
          : (error as Error).message;
      throw new Error(`Card layout ${file} is invalid: ${detail}`, { cause: error });
    }
    const problems = boxProblems(parsed);
    if (problems.length > 0) throw new Error(`Card layout ${file} is invalid: ${problems.join('; ')}`);
    layouts.set(id, { ...parsed, id, source });
  }
  if (layouts.size === 0) throw new Error(`No card layouts (*.yaml) in ${dir}`);
  return layouts;
}
