import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import {
  BUILT_IN_REQUIRED_VARIABLES,
  DEFAULT_BUILT_IN_TEMPLATES_DIR,
  loadBuiltInTemplates,
  type TemplateDefinition,
} from '../../../server/templates/template-library.ts';
import {
  checkPlatformLimits,
  renderTemplate,
  ZALO_TITLE_MAX,
} from '../../../server/templates/template-render.ts';
import { REALISTIC_VALUES, RENDER_OPTIONS } from './fixtures.ts';

/** Realistic values for the scam-specific variables too, so optional sections render. */
function fullValues(def: TemplateDefinition): Record<string, string> {
  const values: Record<string, string> = { ...REALISTIC_VALUES };
  for (const v of def.variables) {
    if (v.name in values) continue;
    values[v.name] = {
      text: 'Sàn giao dịch ABC Global',
      multiline: 'Ngày 10/3, một người dân bị lừa chuyển 200 triệu đồng.',
      phone: '+84 24 3999 8888',
      date: '14/03/2025',
      url: 'https://dichvucong.gov.vn',
      number: '12',
    }[v.type];
  }
  return values;
}

describe('built-in template library', () => {
  let templates: TemplateDefinition[];
  before(async () => {
    templates = await loadBuiltInTemplates(DEFAULT_BUILT_IN_TEMPLATES_DIR);
  });

  it('loads every .hbs file, at least the ten scam types, with unique stable ids', async () => {
    const files = (await readdir(DEFAULT_BUILT_IN_TEMPLATES_DIR)).filter((f) => f.endsWith('.hbs'));
    assert.ok(templates.length >= 10);
    assert.equal(templates.length, files.length);
    assert.equal(new Set(templates.map((t) => t.id)).size, templates.length);
    for (const t of templates) {
      assert.match(t.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.equal(t.builtIn, true);
    }
  });

  it('declares the core variables, a card, hashtags and 2–3 captions in each template', () => {
    for (const t of templates) {
      for (const name of BUILT_IN_REQUIRED_VARIABLES) {
        assert.ok(
          t.variables.some((v) => v.name === name && v.required),
          `${t.id} lacks ${name}`,
        );
      }
      assert.ok(t.card, `${t.id} has no card`);
      assert.ok(t.hashtags.length > 0, `${t.id} has no hashtags`);
      assert.ok(
        t.captions.length >= 2 && t.captions.length <= 3,
        `${t.id} has ${t.captions.length} captions`,
      );
    }
  });

  for (const mode of ['core values only', 'every variable filled'] as const) {
    it(`renders every template with realistic values (${mode})`, () => {
      for (const t of templates) {
        const values = mode === 'core values only' ? { ...REALISTIC_VALUES } : fullValues(t);
        const out = renderTemplate(t, values, RENDER_OPTIONS);
        const all = [out.text, out.title, out.card?.headline ?? '', out.card?.body ?? '', ...out.captions];
        for (const piece of all) {
          assert.ok(!piece.includes('{{') && !piece.includes('}}'), `${t.id}: leftover braces in ${piece}`);
          assert.equal(piece, piece.normalize('NFC'), `${t.id}: output not NFC`);
          assert.ok(!piece.includes('undefined') && !piece.includes('[object'), `${t.id}: ${piece}`);
        }
        assert.ok(out.text.includes(REALISTIC_VALUES.unitName), t.id);
        assert.ok(
          out.text.includes('0235 3822 123') && out.text.includes('113'),
          `${t.id} must end with whom to call`,
        );
        assert.ok(out.text.includes('ngày 14 tháng 3 năm 2025'), `${t.id}: date not formatted`);
        const length = [...out.text].length;
        assert.ok(
          length >= 600 && length <= (mode === 'core values only' ? 1500 : 1800),
          `${t.id}: ${length} characters`,
        );
        assert.ok(
          out.title.length >= 1 && [...out.title].length <= ZALO_TITLE_MAX,
          `${t.id}: title ${out.title}`,
        );
        assert.ok(
          out.card && out.card.headline.length > 0 && [...out.card.headline].length <= 80,
          `${t.id}: card headline`,
        );
        assert.deepEqual(checkPlatformLimits(out, 'facebook'), [], t.id);
        assert.deepEqual(checkPlatformLimits(out, 'zalo'), [], t.id);
      }
    });
  }

  it('keeps the Zalo title within limits even with every text variable at its maximum length', () => {
    for (const t of templates) {
      const values: Record<string, string> = fullValues(t);
      for (const v of t.variables) {
        if (v.type === 'text' && v.maxLength) values[v.name] = 'Đ'.repeat(v.maxLength);
      }
      const out = renderTemplate(t, values, RENDER_OPTIONS);
      assert.ok([...out.title].length <= ZALO_TITLE_MAX, `${t.id}: ${[...out.title].length}`);
    }
  });
});
