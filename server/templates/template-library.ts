// The built-in warning-post library: templates/posts/*.hbs, read and checked at start-up.
// A bad file stops start-up: an editor must never discover a broken template at publish time.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describeProblems,
  parseTemplateSource,
  type ParsedTemplate,
  type TemplateCard,
  type TemplateProblem,
  type TemplateVariable,
} from './template-format.ts';
import { validateTemplate } from './template-engine.ts';

export interface TemplateDefinition {
  id: string;
  name: string;
  description: string;
  builtIn: boolean;
  variables: TemplateVariable[];
  /** Handlebars for the Zalo title; null: the first line of the text is the title. */
  title: string | null;
  card: TemplateCard | null;
  hashtags: string[];
  captions: string[];
  /** The Handlebars body (post text), without front matter. */
  source: string;
}

/** Every built-in template declares these, so every post says who warns, where and when. */
export const BUILT_IN_REQUIRED_VARIABLES = ['unitName', 'hotline', 'area', 'date'] as const;

export const DEFAULT_BUILT_IN_TEMPLATES_DIR = fileURLToPath(
  new URL('../../templates/posts/', import.meta.url),
);

export interface TemplateFileFailure {
  file: string;
  problems: TemplateProblem[];
}

export class TemplateLibraryError extends Error {
  constructor(readonly failures: TemplateFileFailure[]) {
    super(
      `Built-in post templates are invalid:\n${failures.map((f) => describeProblems(f.file, f.problems)).join('\n')}`,
    );
    this.name = 'TemplateLibraryError';
  }
}

/** Parse and fully check one template source; the problems, or the definition. */
export function checkTemplateSource(
  source: string,
  origin: string,
  builtIn: boolean,
): { ok: true; template: TemplateDefinition } | { ok: false; problems: TemplateProblem[] } {
  const parsed = parseTemplateSource(source, origin);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  const template: ParsedTemplate = parsed.template;
  const problems: TemplateProblem[] = [];
  if (builtIn) {
    for (const name of BUILT_IN_REQUIRED_VARIABLES) {
      if (!template.variables.some((v) => v.name === name && v.required)) {
        problems.push({
          path: 'variables',
          message: `a built-in template must declare the required variable "${name}"`,
        });
      }
    }
  }
  const validation = validateTemplate(template);
  if (!validation.ok) problems.push(...validation.problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, template: { ...template, builtIn } };
}

export async function loadBuiltInTemplates(
  dir: string = DEFAULT_BUILT_IN_TEMPLATES_DIR,
): Promise<TemplateDefinition[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.hbs')).sort();
  if (files.length === 0) {
    throw new TemplateLibraryError([
      { file: dir, problems: [{ path: 'directory', message: 'no .hbs templates found' }] },
    ]);
  }
  const failures: TemplateFileFailure[] = [];
  const templates: TemplateDefinition[] = [];
  const fileById = new Map<string, string>();
  for (const file of files) {
    const result = checkTemplateSource(await readFile(path.join(dir, file), 'utf8'), file, true);
    if (!result.ok) {
      failures.push({ file, problems: result.problems });
      continue;
    }
    const { id } = result.template;
    // The file name is the id, so a renamed file cannot silently change a stable id.
    if (file !== `${id}.hbs`) {
      failures.push({
        file,
        problems: [{ path: 'id', message: `the id "${id}" must match the file name (${id}.hbs)` }],
      });
      continue;
    }
    const other = fileById.get(id);
    if (other !== undefined) {
      failures.push({ file, problems: [{ path: 'id', message: `duplicate id "${id}" (also in ${other})` }] });
      continue;
    }
    fileById.set(id, file);
    templates.push(result.template);
  }
  if (failures.length > 0) throw new TemplateLibraryError(failures);
  return templates;
}
