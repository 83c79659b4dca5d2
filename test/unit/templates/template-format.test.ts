import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseTemplateSource, type TemplateProblem } from '../../../server/templates/template-format.ts';
import {
  DEFAULT_BUILT_IN_TEMPLATES_DIR,
  loadBuiltInTemplates,
  TemplateLibraryError,
} from '../../../server/templates/template-library.ts';
import { templateSource } from './fixtures.ts';

function problemsOf(source: string, origin = 'bad.hbs'): TemplateProblem[] {
  const result = parseTemplateSource(source, origin);
  if (result.ok) assert.fail('expected the source to be refused');
  assert.equal(result.origin, origin);
  return result.problems;
}

describe('parseTemplateSource', () => {
  it('parses front matter and body, tolerating a BOM and CRLF line ends', () => {
    const source = '\uFEFF' + templateSource('Xin chào {{area}}').replace(/\n/g, '\r\n');
    const result = parseTemplateSource(source, 'ok.hbs');
    assert.ok(result.ok);
    assert.equal(result.template.id, 'thu-nghiem');
    assert.equal(result.template.source, 'Xin chào {{area}}');
    assert.equal(result.template.variables.length, 7);
    assert.equal(result.template.card, null);
    assert.deepEqual(result.template.hashtags, []);
  });

  it('refuses a file without front matter', () => {
    assert.match(problemsOf('Chỉ có nội dung {{area}}')[0]?.message ?? '', /front matter/);
  });

  it('names a missing name', () => {
    const problems = problemsOf(templateSource('x').replace('name: Mẫu thử nghiệm\n', ''));
    assert.deepEqual(
      problems.map((p) => p.path),
      ['name'],
    );
  });

  it('names a bad variable type with its line', () => {
    const problems = problemsOf(templateSource('x').replace('type: phone', 'type: telephone'));
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.path, 'variables.1.type');
    assert.equal(problems[0]?.line, 7);
  });

  it('refuses reserved, duplicate and badly spelt variable names, and unknown keys', () => {
    const source = templateSource('x', 'colour: red\n')
      .replace('name: note', 'name: constructor')
      .replace('name: link', 'name: area')
      .replace('name: count', 'name: so-vu');
    const paths = problemsOf(source).map((p) => `${p.path}: ${p.message}`);
    assert.ok(
      paths.some((p) => /^variables\.4\.name: .*reserved/.test(p)),
      paths.join('\n'),
    );
    assert.ok(
      paths.some((p) => /^variables\.5\.name: duplicate variable "area"/.test(p)),
      paths.join('\n'),
    );
    assert.ok(
      paths.some((p) => /^variables\.6\.name: .*camelCase/.test(p)),
      paths.join('\n'),
    );
    assert.ok(
      paths.some((p) => /colour/.test(p)),
      paths.join('\n'),
    );
  });

  it('reports a YAML syntax error with its line', () => {
    const problems = problemsOf(
      '---\nid: a-b\nname: [không đóng\ndescription: x\n---\nnội dung\n',
      'syntax.hbs',
    );
    assert.match(problems[0]?.message ?? '', /YAML syntax error/);
    assert.equal(typeof problems[0]?.line, 'number');
  });

  it('refuses an empty body and a non-kebab id', () => {
    const paths = problemsOf(templateSource('').replace('id: thu-nghiem', 'id: Thu_Nghiem')).map(
      (p) => p.path,
    );
    assert.deepEqual(paths.sort(), ['body', 'id']);
  });
});

describe('loadBuiltInTemplates', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'loa-templates-'));
    await copyFile(
      path.join(DEFAULT_BUILT_IN_TEMPLATES_DIR, 'dau-tu-tien-ao.hbs'),
      path.join(dir, 'dau-tu-tien-ao.hbs'),
    );
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function loadError(): Promise<TemplateLibraryError> {
    try {
      await loadBuiltInTemplates(dir);
    } catch (error) {
      assert.ok(error instanceof TemplateLibraryError, String(error));
      return error;
    }
    assert.fail('loading should have failed');
  }

  it('loads a directory of good files', async () => {
    const templates = await loadBuiltInTemplates(dir);
    assert.deepEqual(
      templates.map((t) => t.id),
      ['dau-tu-tien-ao'],
    );
  });

  it('throws one error naming the bad file and its problem', async () => {
    await writeFile(
      path.join(dir, 'hong.hbs'),
      templateSource('{{evil area}}').replace('thu-nghiem', 'hong'),
    );
    const error = await loadError();
    assert.deepEqual(
      error.failures.map((f) => f.file),
      ['hong.hbs'],
    );
    assert.match(error.message, /hong\.hbs:1?\d*: body: unknown helper "evil"/);
  });

  it('names a file whose YAML does not parse', async () => {
    await writeFile(path.join(dir, 'yaml-hong.hbs'), '---\nid: yaml-hong\nname: "không đóng\n---\nx\n');
    assert.match((await loadError()).message, /yaml-hong\.hbs.*YAML syntax error/);
  });

  it('requires the core variables, an id matching the file name, and unique ids', async () => {
    await writeFile(path.join(dir, 'thu-nghiem.hbs'), templateSource('{{area}}'));
    await writeFile(
      path.join(dir, 'ten-khac.hbs'),
      templateSource('{{area}}').replace('thu-nghiem', 'khong-khop'),
    );
    const noDate = templateSource('{{area}}')
      .replace('thu-nghiem', 'thieu-ngay')
      .replace('  - { name: date, label: Ngày đăng, type: date, required: true }\n', '');
    await writeFile(path.join(dir, 'thieu-ngay.hbs'), noDate);
    const error = await loadError();
    assert.deepEqual(error.failures.map((f) => f.file).sort(), ['ten-khac.hbs', 'thieu-ngay.hbs']);
    assert.match(error.message, /thieu-ngay\.hbs.*required variable "date"/);
    assert.match(error.message, /ten-khac\.hbs.*must match the file name/);
  });

  it('refuses an empty directory', async () => {
    await rm(path.join(dir, 'dau-tu-tien-ao.hbs'));
    assert.match((await loadError()).message, /no \.hbs templates/);
  });
});
