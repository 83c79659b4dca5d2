import assert from 'node:assert/strict';
import { parseTemplateSource, type ParsedTemplate } from '../../../server/templates/template-format.ts';
import { compileTemplate, validateTemplate } from '../../../server/templates/template-engine.ts';
import { templateSource } from './fixtures.ts';

function parsed(body: string, extra = ''): ParsedTemplate {
  const result = parseTemplateSource(templateSource(body, extra), 'test.hbs');
  if (!result.ok) assert.fail(`fixture did not parse: ${JSON.stringify(result.problems)}`);
  return result.template;
}

function refusal(body: string, extra = ''): string {
  const result = validateTemplate(parsed(body, extra));
  assert.equal(result.ok, false, `expected ${JSON.stringify(body)} to be refused`);
  return result.ok ? '' : result.problems.map((p) => `${p.path}:${p.line ?? '-'}: ${p.message}`).join('\n');
}

describe('validateTemplate', () => {
  it('accepts declared variables, our helpers, if/unless, else, comments and whitespace control', () => {
    const body = [
      '{{!-- ghi chú cho biên tập viên --}}',
      '{{upper unitName}} {{lower area}} {{this.area}} {{phone hotline}} {{formatDate date "long"}}',
      '{{#if note}}{{note}}{{else if link}}{{link}}{{else}}không{{/if}}',
      '{{#unless count}}chưa có số liệu{{/unless}} {{default count "0"}} {{upper (default note area)}}',
      '{{~area~}}',
    ].join('\n');
    assert.deepEqual(validateTemplate(parsed(body)), { ok: true });
  });

  const refused: [string, string, RegExp][] = [
    ['{{constructor}}', 'constructor', /reserved/],
    ['{{__proto__}}', '__proto__', /reserved/],
    ['{{area.constructor}}', 'a property of a variable', /reserved/],
    ['{{prototype}}', 'prototype', /reserved/],
    ['{{lookup this "constructor"}}', 'lookup', /"lookup" is not allowed/],
    ['{{log area}}', 'log', /"log" is not allowed/],
    ['{{evil area}}', 'an unknown helper', /unknown helper "evil"/],
    ['{{{area}}}', 'triple-stash', /triple-stash/],
    ['{{& area}}', 'ampersand unescape', /triple-stash/],
    ['{{> p}}', 'a partial', /partials/],
    ['{{#> layout}}x{{/layout}}', 'a partial block', /partials/],
    ['{{#*inline "p"}}x{{/inline}}', 'an inline partial decorator', /decorators/],
    ['{{{{raw}}}} {{area}} {{{{/raw}}}}', 'a raw block', /raw blocks/],
    ['{{secret}}', 'an undeclared variable', /unknown variable "secret"/],
    ['{{#if secret}}x{{/if}}', 'an undeclared variable in a block', /unknown variable "secret"/],
    ['{{upper secret}}', 'an undeclared variable as an argument', /unknown variable "secret"/],
    ['{{@root.area}}', '@root', /@-variables/],
    ['{{../area}}', 'a parent scope', /parent scopes/],
    ['{{area.length}}', 'a nested path', /nested paths/],
    ['{{this}}', 'this', /name a declared variable/],
    ['{{"constructor"}}', 'a literal name', /literal name/],
    ['{{#each area}}{{this}}{{/each}}', 'each', /only \{\{#if x\}\}/],
    ['{{#with area}}{{length}}{{/with}}', 'with', /only \{\{#if x\}\}/],
    ['{{#area}}x{{/area}}', 'a section on a variable', /not allowed/],
    ['{{#if area as |x|}}{{x}}{{/if}}', 'block parameters', /block parameters|unknown variable "x"/],
    ['{{#upper area}}x{{/upper}}', 'a value helper used as a block', /not allowed/],
    ['{{if area}}', 'a block helper used inline', /block helper/],
    ['{{upper area key=1}}', 'named arguments', /named arguments/],
    ['{{upper}}', 'a helper without its argument', /takes 1 argument/],
    ['{{formatDate area}}', 'formatDate of a text variable', /needs a date variable/],
    ['{{formatDate date "iso"}}', 'an unknown date style', /style must be one of/],
    ['{{phone area}}', 'phone of a text variable', /needs a phone variable/],
    ['{{#if area}}x', 'a syntax error', /syntax error/],
  ];
  for (const [body, what, expected] of refused) {
    it(`refuses ${what}: ${body}`, () => {
      assert.match(refusal(body), expected);
    });
  }

  it('gives the line of the problem', () => {
    assert.match(refusal('dòng 1\ndòng 2 {{evil area}}'), /^body:2: unknown helper/);
  });

  it('checks the title, card and captions too, naming the piece', () => {
    const message = refusal(
      '{{area}}',
      [
        'title: "{{constructor}}"',
        'card: { layout: warning, headline: "{{{area}}}", body: "{{> p}}" }',
        "captions: ['ok {{area}}', '{{evil area}}']",
        '',
      ].join('\n'),
    );
    assert.match(message, /^title:1: .*reserved/m);
    assert.match(message, /^card\.headline:1: .*triple-stash/m);
    assert.match(message, /^card\.body:1: .*partials/m);
    assert.match(message, /^captions\.1:1: .*unknown helper "evil"/m);
  });

  it('checks that defaults have their declared type', () => {
    const result = validateTemplate({
      ...parsed('{{area}}'),
      variables: [
        ...parsed('{{area}}').variables,
        { name: 'site', label: 'Trang', type: 'url', required: false, default: 'ftp://x' },
      ],
    });
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : (result.problems[0]?.path ?? ''), /^variables\.site\.default$/);
  });
});

describe('the Handlebars environment without validation (defence in depth)', () => {
  const context = Object.assign(Object.create(null) as Record<string, string>, { area: 'Quảng Nam' });
  const render = (source: string): string =>
    compileTemplate({ variables: [], title: null, card: null, captions: [], source }).body(
      context,
      'Asia/Ho_Chi_Minh',
    );

  it('refuses lookup, log and unknown helpers at compile time', () => {
    assert.throws(() => render('{{lookup this "constructor"}}'), /unknown helper lookup/);
    assert.throws(() => render('{{log area}}'), /unknown helper log/);
    assert.throws(() => render('{{evil area}}'), /unknown helper evil/);
  });

  it('is strict about undeclared names and gives no prototype access', () => {
    // The context has no prototype, so Handlebars' strict check throws (its message cannot
    // even print the object); validateTemplate refuses these names long before this.
    assert.throws(() => render('{{missing}}'));
    assert.throws(() => render('{{constructor}}'));
    assert.throws(() => render('{{__proto__}}'));
    assert.equal(render('{{area}} & <b>'), 'Quảng Nam & <b>');
  });
});
