// Font files for card text. Be Vietnam Pro covers every Vietnamese diacritic; it comes from
// npm (TTF: sharp's Pango input silently ignores WOFF/WOFF2) so nothing depends on the fonts
// installed on the machine. Paths resolve through node's resolver, so any cwd works.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PACKAGE = '@expo-google-fonts/be-vietnam-pro';

export type FontWeight = 'regular' | 'medium' | 'semibold' | 'bold' | 'extrabold';

interface FontFace {
  /** Pango font description; its family must match the file (checked with fc-scan). */
  description: string;
  file: string;
}

const FILES: Record<FontWeight, { description: string; file: string }> = {
  regular: { description: 'Be Vietnam Pro', file: '400Regular/BeVietnamPro_400Regular.ttf' },
  medium: { description: 'Be Vietnam Pro Medium', file: '500Medium/BeVietnamPro_500Medium.ttf' },
  semibold: { description: 'Be Vietnam Pro SemiBold', file: '600SemiBold/BeVietnamPro_600SemiBold.ttf' },
  bold: { description: 'Be Vietnam Pro Bold', file: '700Bold/BeVietnamPro_700Bold.ttf' },
  extrabold: { description: 'Be Vietnam Pro ExtraBold', file: '800ExtraBold/BeVietnamPro_800ExtraBold.ttf' },
};

export function fontFace(weight: FontWeight): FontFace {
  const entry = FILES[weight];
  return { description: entry.description, file: require.resolve(`${PACKAGE}/${entry.file}`) };
}

/** The font package's version; a new font changes rendered cards, so it is in the cache key. */
export function fontVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(require.resolve(`${PACKAGE}/package.json`), 'utf8'));
  const version =
    typeof manifest === 'object' && manifest !== null && 'version' in manifest
      ? String(manifest.version)
      : '?';
  return `${PACKAGE}@${version}`;
}
