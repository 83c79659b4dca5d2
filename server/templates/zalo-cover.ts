// The cover of a Zalo article whose post has no picture of its own: a card drawn by the existing
// renderer and layouts, from the post's title and its unit's name, at Zalo's cover size. Zalo
// refuses an article without a cover, so without this a text-only warning would be approved and
// then fail at its publish time.
import path from 'node:path';
import { clipText } from '../connectors/platform-limits.ts';
import type { PostCard } from '../db/schema.ts';
import { ValidationError } from '../errors.ts';
import type { Renderer } from '../rendering/index.ts';
import { DEFAULT_CARD_LAYOUT } from './templates.schemas.ts';

/**
 * Headline lengths tried in turn: the renderer's limit first; a title too long to fit the card at
 * a readable size is cut shorter rather than leaving the article without a cover.
 */
const HEADLINE_LENGTHS = [200, 110, 70, 40];

export interface ZaloCoverInput {
  title: string;
  /** The unit that speaks (the post's unit, else the channel's name); drawn in the card's band. */
  unitName?: string;
}

export function createZaloCovers(deps: { renderer: Pick<Renderer, 'renderCard'>; mediaDir: string }) {
  /** Rendered once per title and unit (the renderer caches by content), stored like a card. */
  async function render(input: ZaloCoverInput): Promise<PostCard> {
    const title = input.title.normalize('NFC').replace(/\s+/g, ' ').trim();
    const unitName = input.unitName?.normalize('NFC').replace(/\s+/g, ' ').trim();
    const draw = (headline: string) =>
      deps.renderer.renderCard({
        layout: DEFAULT_CARD_LAYOUT,
        size: 'zalo-cover',
        headline,
        ...(unitName ? { unitName } : {}),
      });
    let headline = title;
    let card: Awaited<ReturnType<typeof draw>> | undefined;
    for (const [index, length] of HEADLINE_LENGTHS.entries()) {
      headline = clipText(title, length);
      try {
        card = await draw(headline);
        break;
      } catch (error) {
        const last = index === HEADLINE_LENGTHS.length - 1;
        const unfit = error instanceof ValidationError && error.problems.some((p) => p.path === 'headline');
        if (last || !unfit) throw error;
      }
    }
    if (!card) throw new Error('no cover was drawn');
    return {
      layout: DEFAULT_CARD_LAYOUT,
      size: 'zalo-cover',
      headline,
      body: null,
      file: path.relative(deps.mediaDir, card.path).split(path.sep).join('/'),
      mime: card.mime,
      width: card.width,
      height: card.height,
      altText: card.altText,
      bytes: card.data.length,
    };
  }
  return { render };
}

export type ZaloCovers = ReturnType<typeof createZaloCovers>;
