import assert from 'node:assert/strict';
import { ValidationError } from '../../../server/errors.ts';
import { renderTemplate } from '../../../server/templates/template-render.ts';
import { definitionFrom, REALISTIC_VALUES, RENDER_OPTIONS, templateSource } from './fixtures.ts';

const simple = definitionFrom(
  templateSource(
    '{{unitName}} cảnh báo người dân {{area}}.\n{{#if note}}\nGhi chú: {{note}}\n{{/if}}\n\n\nGọi {{phone hotline}} hoặc 113. {{formatDate date}}',
  ),
);

function renderError(values: Record<string, unknown>, def = simple): ValidationError {
  try {
    renderTemplate(def, values, RENDER_OPTIONS);
  } catch (error) {
    assert.ok(error instanceof ValidationError, `expected ValidationError, got ${String(error)}`);
    return error;
  }
  assert.fail('render should have thrown');
}

describe('renderTemplate', () => {
  it('renders plain text: no HTML escaping, blank optional sections leave no holes', () => {
    const out = renderTemplate(
      simple,
      { ...REALISTIC_VALUES, unitName: 'Công an & Viện kiểm sát' },
      RENDER_OPTIONS,
    );
    assert.equal(
      out.text,
      'Công an & Viện kiểm sát cảnh báo người dân Quảng Nam.\n\nGọi 0235 3822 123 hoặc 113. 14/03/2025',
    );
    assert.equal(out.title, 'Công an & Viện kiểm sát cảnh báo người dân Quảng Nam.');
    assert.equal(out.card, null);
  });

  it('names every missing required variable in one 422 ValidationError', () => {
    const error = renderError({});
    assert.equal(error.status, 422);
    assert.deepEqual(error.problems.map((p) => p.path).sort(), [
      'variables.area',
      'variables.date',
      'variables.hotline',
      'variables.unitName',
    ]);
    for (const problem of error.problems) assert.match(problem.message, /Chưa nhập .* is required/);
  });

  it('reports blank and whitespace-only values as missing, and wrong values with the reason', () => {
    const error = renderError({
      unitName: '   ',
      hotline: 'gọi tôi',
      area: 'x'.repeat(41),
      date: '2025-02-30',
      link: 'javascript:alert(1)',
      count: 'mười',
    });
    const byPath = new Map(error.problems.map((p) => [p.path, p.message]));
    assert.deepEqual([...byPath.keys()].sort(), [
      'variables.area',
      'variables.count',
      'variables.date',
      'variables.hotline',
      'variables.link',
      'variables.unitName',
    ]);
    assert.match(byPath.get('variables.unitName') ?? '', /required/);
    assert.match(byPath.get('variables.hotline') ?? '', /phone/);
    assert.match(byPath.get('variables.area') ?? '', /longer than 40/);
    assert.match(byPath.get('variables.date') ?? '', /valid date/);
    assert.match(byPath.get('variables.link') ?? '', /http\(s\)/);
    assert.match(byPath.get('variables.count') ?? '', /number/);
  });

  it('accepts the usual date and phone spellings and refuses non-string values', () => {
    const out = renderTemplate(
      simple,
      { ...REALISTIC_VALUES, hotline: '02353822123', date: '5/4/2025' },
      RENDER_OPTIONS,
    );
    assert.match(out.text, /Gọi 0235 3822 123 hoặc 113\. 05\/04\/2025$/);
    const error = renderError({ ...REALISTIC_VALUES, area: { toString: () => 'x' }, note: ['a'] });
    assert.deepEqual(error.problems.map((p) => p.path).sort(), ['variables.area', 'variables.note']);
    assert.ok(
      renderError({ ...REALISTIC_VALUES, unitName: 'Công an\u0000tỉnh' }).problems[0]?.message.includes(
        'control',
      ),
    );
    assert.ok(
      renderError({ ...REALISTIC_VALUES, unitName: 'hai\ndòng' }).problems[0]?.message.includes(
        'single line',
      ),
    );
  });

  it('formats an instant in the requested time zone and a calendar date without shifting it', () => {
    const def = definitionFrom(templateSource('{{formatDate date "datetime"}} | {{formatDate date "long"}}'));
    const instant = renderTemplate(
      def,
      { ...REALISTIC_VALUES, date: '2025-03-14T18:30:00Z' },
      RENDER_OPTIONS,
    );
    assert.equal(instant.text, '01:30 ngày 15/03/2025 | ngày 15 tháng 3 năm 2025');
    const calendar = renderTemplate(
      def,
      { ...REALISTIC_VALUES, date: '2025-03-14' },
      { timeZone: 'America/Los_Angeles' },
    );
    assert.equal(calendar.text, '14/03/2025 | ngày 14 tháng 3 năm 2025');
  });

  it('normalises decomposed (NFD) input to NFC', () => {
    const nfd = 'Ca\u0309nh ba\u0301o';
    assert.notEqual(nfd, 'Cảnh báo');
    const out = renderTemplate(
      simple,
      { ...REALISTIC_VALUES, unitName: nfd, note: 'Công an tỉnh'.normalize('NFD') },
      RENDER_OPTIONS,
    );
    assert.ok(out.text.startsWith('Cảnh báo cảnh báo'));
    assert.ok(out.text.includes('Ghi chú: Công an tỉnh'));
    assert.equal(out.text, out.text.normalize('NFC'));
    assert.equal(out.title, 'Cảnh báo cảnh báo người dân Quảng Nam.');
  });

  it('normalises a decomposed template source to NFC too', () => {
    const def = definitionFrom(templateSource('Ca\u0309nh ba\u0301o {{area}}'));
    assert.equal(renderTemplate(def, REALISTIC_VALUES, RENDER_OPTIONS).text, 'Cảnh báo Quảng Nam');
  });

  it('renders values that look like templates, markup or prototype names literally', () => {
    for (const payload of [
      '{{constructor}}',
      '{{{x}}} {{> p}}',
      '<script>alert(1)</script>',
      '__proto__',
      '</text><image href="x"/>',
    ]) {
      const out = renderTemplate(simple, { ...REALISTIC_VALUES, note: payload }, RENDER_OPTIONS);
      assert.ok(out.text.includes(`Ghi chú: ${payload}`), payload);
    }
  });

  it('ignores undeclared keys, including an own __proto__ key, without polluting prototypes', () => {
    const values = JSON.parse(
      '{"unitName":"Công an tỉnh Quảng Nam","hotline":"0235 3822 123","area":"Quảng Nam","date":"2025-03-14",' +
        '"__proto__":{"polluted":"yes","note":"từ prototype"},"constructor":{"prototype":{"polluted":"yes"}}}',
    ) as Record<string, unknown>;
    assert.ok(Object.hasOwn(values, '__proto__'));
    const out = renderTemplate(simple, values, RENDER_OPTIONS);
    assert.ok(!out.text.includes('từ prototype'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  it('does not read inherited values: a variable present only on the prototype counts as missing', () => {
    const values = Object.create({ unitName: 'kế thừa' }) as Record<string, unknown>;
    Object.assign(values, { hotline: '113', area: 'Quảng Nam', date: '2025-03-14' });
    assert.deepEqual(
      renderError(values).problems.map((p) => p.path),
      ['variables.unitName'],
    );
  });

  it('uses defaults for blank optional values and renders title, card and captions', () => {
    const def = definitionFrom(
      templateSource(
        'Nội dung {{default note "không có"}} {{upper area}}',
        [
          'title: Cảnh báo tại {{area}}',
          'card: { layout: warning, headline: "{{upper unitName}}", body: "Gọi {{phone hotline}}" }',
          "hashtags: ['#CanhBao']",
          "captions: ['Chia sẻ: {{unitName}}', '{{#if note}}{{note}}{{/if}}']",
          '',
        ].join('\n'),
      ),
    );
    const out = renderTemplate(def, { ...REALISTIC_VALUES, hotline: '0912345678' }, RENDER_OPTIONS);
    assert.equal(out.text, 'Nội dung không có QUẢNG NAM');
    assert.equal(out.title, 'Cảnh báo tại Quảng Nam');
    assert.deepEqual(out.card, {
      layout: 'warning',
      headline: 'CÔNG AN TỈNH QUẢNG NAM',
      body: 'Gọi 0912 345 678',
    });
    assert.deepEqual(out.hashtags, ['#CanhBao']);
    assert.deepEqual(out.captions, ['Chia sẻ: Công an tỉnh Quảng Nam'], 'an empty caption is dropped');
  });
});
