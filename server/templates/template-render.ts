// Rendering a template with an editor's values into post text, a title, a card's lines and
// captions; and the platforms' length limits.
import { FACEBOOK_LIMITS, ZALO_LIMITS } from '../connectors/platform-limits.ts';
import { ValidationError, type FieldProblem } from '../errors.ts';
import { compileTemplate, type CompiledTemplate } from './template-engine.ts';
import type { TemplateDefinition } from './template-library.ts';
import { bilingual, charCount, checkValue } from './template-values.ts';

export interface RenderOptions {
  /** IANA zone for dates with a time, e.g. Asia/Ho_Chi_Minh. */
  timeZone: string;
}

export interface RenderedTemplate {
  /** The post text, plain text (not HTML), NFC. Hashtags are not appended. */
  text: string;
  /** One line: the Zalo article title. */
  title: string;
  card: { layout: string; headline: string; body: string } | null;
  hashtags: string[];
  captions: string[];
}

// Compiled functions are pure; caching them per definition object saves a compile per render.
const compiledCache = new WeakMap<TemplateDefinition, CompiledTemplate>();

function compiledFor(def: TemplateDefinition): CompiledTemplate {
  let compiled = compiledCache.get(def);
  if (!compiled) {
    compiled = compileTemplate(def);
    compiledCache.set(def, compiled);
  }
  return compiled;
}

/** Plain-text tidy-up: blank optional sections must not leave holes or trailing spaces. */
function tidyText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function oneLine(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * Check and normalise the values (NFC, trimmed, typed), then render. Values not declared by
 * the template are ignored: they never reach Handlebars (so a `__proto__` key is inert).
 * Throws ValidationError naming every missing or wrong variable at `variables.<name>`.
 */
export function renderTemplate(
  def: TemplateDefinition,
  values: Record<string, unknown>,
  options: RenderOptions,
): RenderedTemplate {
  const input: object = typeof values === 'object' && values !== null ? values : {};
  const context = Object.create(null) as Record<string, string>;
  const problems: FieldProblem[] = [];
  for (const variable of def.variables) {
    const raw: unknown = Object.hasOwn(input, variable.name)
      ? (input as Record<string, unknown>)[variable.name]
      : undefined;
    const result = checkValue(variable, raw);
    if (result.ok) context[variable.name] = result.value;
    else problems.push({ path: `variables.${variable.name}`, message: result.message });
  }
  if (problems.length > 0) {
    throw new ValidationError(
      problems,
      'Some template variables are missing or wrong (thiếu hoặc sai thông tin)',
    );
  }

  const compiled = compiledFor(def);
  const tz = options.timeZone;
  const text = tidyText(compiled.body(context, tz));
  const title = compiled.title ? oneLine(compiled.title(context, tz)) : oneLine(text.split('\n', 1)[0] ?? '');
  const card =
    def.card && compiled.card
      ? {
          layout: def.card.layout,
          headline: oneLine(compiled.card.headline(context, tz)),
          body: tidyText(compiled.card.body(context, tz)),
        }
      : null;
  return {
    text,
    title,
    card,
    hashtags: [...def.hashtags],
    captions: compiled.captions
      .map((caption) => tidyText(caption(context, tz)))
      .filter((caption) => caption !== ''),
  };
}

// The limits live with the connectors (server/connectors/platform-limits.ts); these names are
// the templates module's view of them, in characters (code points).
/** Facebook Page post text (Graph API `message`). */
export const FACEBOOK_POST_TEXT_MAX = FACEBOOK_LIMITS.textMax;
/** Zalo OA article title. */
export const ZALO_TITLE_MIN = ZALO_LIMITS.titleMin;
export const ZALO_TITLE_MAX = ZALO_LIMITS.titleMax;
/** Zalo OA article description (summary). */
export const ZALO_DESCRIPTION_MAX = ZALO_LIMITS.descriptionMax;

export type Platform = 'facebook' | 'zalo';

export interface PlatformText {
  text: string;
  title: string;
  /** Zalo's article summary, if the caller sends one. */
  description?: string;
}

/** Problems with the post's lengths on one platform; an empty list means it fits. */
export function checkPlatformLimits(input: PlatformText, platform: Platform): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (platform === 'facebook') {
    const length = charCount(input.text);
    if (length === 0)
      problems.push({
        path: 'text',
        message: bilingual('Nội dung bài đăng đang trống', 'Facebook post text is empty'),
      });
    if (length > FACEBOOK_POST_TEXT_MAX) {
      problems.push({
        path: 'text',
        message: bilingual(
          `Nội dung dài ${length} ký tự, Facebook chỉ cho phép tối đa ${FACEBOOK_POST_TEXT_MAX}`,
          `Facebook post text is ${length} characters; the limit is ${FACEBOOK_POST_TEXT_MAX}`,
        ),
      });
    }
    return problems;
  }
  const title = input.title.trim();
  const titleLength = charCount(title);
  if (titleLength < ZALO_TITLE_MIN) {
    problems.push({
      path: 'title',
      message: bilingual('Tiêu đề bài viết Zalo đang trống', 'Zalo article title is empty'),
    });
  }
  if (titleLength > ZALO_TITLE_MAX) {
    problems.push({
      path: 'title',
      message: bilingual(
        `Tiêu đề dài ${titleLength} ký tự, Zalo chỉ cho phép ${ZALO_TITLE_MIN}–${ZALO_TITLE_MAX}`,
        `Zalo article title is ${titleLength} characters; it must be ${ZALO_TITLE_MIN}–${ZALO_TITLE_MAX}`,
      ),
    });
  }
  if (input.description !== undefined) {
    const length = charCount(input.description);
    if (length > ZALO_DESCRIPTION_MAX) {
      problems.push({
        path: 'description',
        message: bilingual(
          `Mô tả dài ${length} ký tự, Zalo chỉ cho phép tối đa ${ZALO_DESCRIPTION_MAX}`,
          `Zalo article description is ${length} characters; the limit is ${ZALO_DESCRIPTION_MAX}`,
        ),
      });
    }
  }
  if (charCount(input.text.trim()) === 0) {
    problems.push({
      path: 'text',
      message: bilingual('Nội dung bài viết đang trống', 'Zalo article body is empty'),
    });
  }
  return problems;
}
