// The Handlebars environment for warning posts, and the check every template passes before
// it is saved or loaded.
//
// Escaping, decided: a warning post is PLAIN TEXT (a Facebook post, a Zalo article, a card
// line), not HTML. HTML-escaping would turn "Công an & Viện kiểm sát" into "&amp;" in the
// published post, so templates compile with `noEscape: true`. That is safe because:
// - every value reaching a template is a plain string we built (template-render.ts), in a
//   null-prototype object holding only the declared variables;
// - output is never parsed again as a template, so a value "{{constructor}}" stays literal;
// - whatever puts the text into markup escapes it for that markup: the web views
//   (express-handlebars escapes), the card renderer (Pango/SVG escaping, server/rendering).
// Triple-stash `{{{x}}}` / `{{& x}}` are still refused so no template reads as if it opted
// out of an escaping that other consumers might add; partials, decorators, raw blocks,
// `@data`, `../`, nested paths and `lookup` are refused because they reach outside the
// declared variables. Only if/unless are allowed as blocks: every value is a string, so
// each/with could only walk a string's characters and would defeat the variable check.
import Handlebars from 'handlebars';
import type { TemplateProblem, TemplateVariable, ParsedTemplate } from './template-format.ts';
import { OBJECT_INTERNALS, RESERVED_NAMES } from './template-format.ts';
import {
  DATE_STYLES,
  formatDate,
  formatPhone,
  sampleValue,
  checkValue,
  type DateStyle,
} from './template-values.ts';

type AstNode = hbs.AST.Node;
type PathNode = hbs.AST.PathExpression;

/** The pieces of a template that contain Handlebars, from a file or from the database. */
export type TemplateParts = Pick<ParsedTemplate, 'variables' | 'title' | 'card' | 'captions' | 'source'>;

export type RenderFn = (context: Readonly<Record<string, string>>, timeZone: string) => string;

export interface CompiledTemplate {
  body: RenderFn;
  title: RenderFn | null;
  card: { headline: RenderFn; body: RenderFn } | null;
  captions: RenderFn[];
}

export type ValidateResult = { ok: true } | { ok: false; problems: TemplateProblem[] };

interface HelperSpec {
  min: number;
  max: number;
  /** The variable type the first argument must have, when it is a variable. */
  firstArgType?: TemplateVariable['type'];
}

// A Map, not an object literal: HELPERS['constructor'] on a plain object would find
// Object's constructor and treat {{constructor}} as a helper call.
const HELPERS: ReadonlyMap<string, HelperSpec> = new Map([
  ['formatDate', { min: 1, max: 2, firstArgType: 'date' }],
  ['upper', { min: 1, max: 1 }],
  ['lower', { min: 1, max: 1 }],
  ['phone', { min: 1, max: 1, firstArgType: 'phone' }],
  ['default', { min: 2, max: 2 }],
]);
const BLOCK_HELPERS = new Set(['if', 'unless']);
const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

function asText(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

/** Handlebars passes its options object last; helpers want the arguments before it. */
function argsOf(args: unknown[]): { params: unknown[]; data: { timeZone?: unknown } } {
  const options = args[args.length - 1] as { data?: { timeZone?: unknown } } | undefined;
  return { params: args.slice(0, -1), data: options?.data ?? {} };
}

function createEnvironment(): typeof Handlebars {
  const env = Handlebars.create();
  // lookup reads any property by a computed name; log writes to the console.
  env.unregisterHelper('lookup');
  env.unregisterHelper('log');
  env.registerHelper('formatDate', (...args: unknown[]) => {
    const { params, data } = argsOf(args);
    const style = DATE_STYLES.includes(params[1] as DateStyle) ? (params[1] as DateStyle) : 'short';
    const timeZone = typeof data.timeZone === 'string' ? data.timeZone : DEFAULT_TIME_ZONE;
    return formatDate(asText(params[0]), style, timeZone);
  });
  env.registerHelper('upper', (...args: unknown[]) =>
    asText(argsOf(args).params[0]).toLocaleUpperCase('vi-VN'),
  );
  env.registerHelper('lower', (...args: unknown[]) =>
    asText(argsOf(args).params[0]).toLocaleLowerCase('vi-VN'),
  );
  env.registerHelper('phone', (...args: unknown[]) => formatPhone(asText(argsOf(args).params[0])));
  env.registerHelper('default', (...args: unknown[]) => {
    const [value, fallback] = argsOf(args).params;
    const text = asText(value);
    return text === '' ? asText(fallback) : text;
  });
  return env;
}

// One isolated environment, never the global Handlebars that other code may register into.
// It holds no I/O, only pure helpers.
const handlebars = createEnvironment();

const COMPILE_OPTIONS = {
  strict: true,
  knownHelpersOnly: true,
  noEscape: true,
  knownHelpers: {
    formatDate: true,
    upper: true,
    lower: true,
    phone: true,
    default: true,
    lookup: false,
    log: false,
  },
};

function compileOne(source: string): RenderFn {
  const template = handlebars.compile(source, COMPILE_OPTIONS);
  return (context, timeZone) =>
    template(context, {
      data: { timeZone },
      allowProtoPropertiesByDefault: false,
      allowProtoMethodsByDefault: false,
      allowCallsToHelperMissing: false,
    });
}

/** Compile every piece. Call only on parts that passed validateTemplate. */
export function compileTemplate(parts: TemplateParts): CompiledTemplate {
  return {
    body: compileOne(parts.source),
    title: parts.title === null ? null : compileOne(parts.title),
    card:
      parts.card === null
        ? null
        : { headline: compileOne(parts.card.headline), body: compileOne(parts.card.body) },
    captions: parts.captions.map(compileOne),
  };
}

function piecesOf(parts: TemplateParts): { path: string; source: string }[] {
  const pieces = [{ path: 'body', source: parts.source }];
  if (parts.title !== null) pieces.push({ path: 'title', source: parts.title });
  if (parts.card !== null) {
    pieces.push(
      { path: 'card.headline', source: parts.card.headline },
      { path: 'card.body', source: parts.card.body },
    );
  }
  parts.captions.forEach((caption, index) => pieces.push({ path: `captions.${index}`, source: caption }));
  return pieces;
}

/**
 * Refuse anything a template must not do, with a message an editor can act on; then render
 * once with sample values, since Handlebars compiles lazily and some errors only show then.
 */
export function validateTemplate(parts: TemplateParts): ValidateResult {
  const variables = new Map(parts.variables.map((v) => [v.name, v]));
  const problems: TemplateProblem[] = [];
  for (const piece of piecesOf(parts)) problems.push(...checkPiece(piece.path, piece.source, variables));
  for (const variable of parts.variables) {
    if (variable.default === undefined) continue;
    const result = checkValue({ ...variable, required: false }, variable.default);
    if (!result.ok) problems.push({ path: `variables.${variable.name}.default`, message: result.message });
  }
  if (problems.length > 0) return { ok: false, problems };

  const full = Object.create(null) as Record<string, string>;
  const minimal = Object.create(null) as Record<string, string>;
  for (const variable of parts.variables) {
    const sample = checkValue(variable, sampleValue(variable));
    const value = sample.ok ? sample.value : '';
    full[variable.name] = value;
    minimal[variable.name] = variable.required || variable.default !== undefined ? value : '';
  }
  for (const piece of piecesOf(parts)) {
    try {
      const render = compileOne(piece.source);
      render(full, DEFAULT_TIME_ZONE);
      render(minimal, DEFAULT_TIME_ZONE);
    } catch (error) {
      problems.push({ path: piece.path, message: `cannot be rendered: ${(error as Error).message}` });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true };
}

function checkPiece(
  path: string,
  source: string,
  variables: ReadonlyMap<string, TemplateVariable>,
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const refuse = (node: AstNode | null, message: string): void => {
    problems.push(node?.loc ? { path, line: node.loc.start.line, message } : { path, message });
  };
  if (source.includes('{{{{')) refuse(null, 'raw blocks {{{{…}}}} are not allowed');
  let program: hbs.AST.Program;
  try {
    program = handlebars.parse(source);
  } catch (error) {
    const message = (error as Error).message;
    const line = /on line (\d+)/.exec(message)?.[1];
    const first = message.split('\n')[0] ?? message;
    problems.push(
      line
        ? { path, line: Number(line), message: `Handlebars syntax error: ${first}` }
        : { path, message: `Handlebars syntax error: ${first}` },
    );
    return problems;
  }

  const checkVariable = (node: PathNode, expected?: TemplateVariable['type']): void => {
    if (node.data)
      return refuse(node, `@-variables such as "${node.original}" are not allowed; use a declared variable`);
    if (node.depth > 0) return refuse(node, `"${node.original}": parent scopes (../) are not allowed`);
    const forbidden = node.parts.find((part) => OBJECT_INTERNALS.has(part));
    if (forbidden !== undefined) {
      return refuse(node, `"${node.original}" is not allowed: "${forbidden}" is a reserved name`);
    }
    if (node.parts.length === 0)
      return refuse(node, `"{{${node.original}}}" is not allowed; name a declared variable`);
    if (node.parts.length > 1)
      return refuse(node, `"${node.original}": nested paths are not allowed; every variable is plain text`);
    const name = node.parts[0] ?? '';
    const variable = variables.get(name);
    if (!variable) return refuse(node, `unknown variable "${name}"; declare it in variables first`);
    if (expected !== undefined && variable.type !== expected) {
      refuse(node, `"${name}" is of type ${variable.type}, but this helper needs a ${expected} variable`);
    }
  };

  const checkExpression = (node: AstNode, expected?: TemplateVariable['type']): void => {
    if (node.type === 'PathExpression') checkVariable(node as PathNode, expected);
    else if (node.type === 'SubExpression') checkCall(node as hbs.AST.SubExpression, true);
    else if (!['StringLiteral', 'NumberLiteral', 'BooleanLiteral'].includes(node.type))
      refuse(node, `${node.type} is not allowed`);
  };

  const checkCall = (
    node: { path: AstNode; params: AstNode[]; hash?: hbs.AST.Hash } & AstNode,
    mustCall: boolean,
  ): void => {
    if (node.path.type !== 'PathExpression')
      return refuse(node, 'write {{name}}, not a quoted or literal name');
    const path = node.path as PathNode;
    if (node.hash && node.hash.pairs.length > 0)
      refuse(node, `"${path.original}": named arguments (key=value) are not supported`);
    const name = path.original;
    const spec = HELPERS.get(name);
    const isCall = mustCall || node.params.length > 0 || spec !== undefined || BLOCK_HELPERS.has(name);
    if (!isCall) return checkVariable(path);
    if (spec === undefined) {
      if (BLOCK_HELPERS.has(name))
        return refuse(node, `"${name}" is a block helper: write {{#${name} x}}…{{/${name}}}`);
      if (name === 'each' || name === 'with')
        return refuse(node, `"${name}" is not allowed: every variable is plain text`);
      if (RESERVED_NAMES.has(name)) return refuse(node, `helper "${name}" is not allowed`);
      return refuse(
        node,
        `unknown helper "${name}"; allowed helpers: ${[...HELPERS.keys()].join(', ')}, #if, #unless`,
      );
    }
    if (node.params.length < spec.min || node.params.length > spec.max) {
      const count = spec.min === spec.max ? `${spec.min}` : `${spec.min}–${spec.max}`;
      refuse(node, `helper "${name}" takes ${count} argument(s), got ${node.params.length}`);
    }
    node.params.forEach((param, index) =>
      checkExpression(param, index === 0 ? spec.firstArgType : undefined),
    );
    const style = node.params[1];
    if (
      name === 'formatDate' &&
      style &&
      (style.type !== 'StringLiteral' ||
        !DATE_STYLES.includes((style as hbs.AST.StringLiteral).value as DateStyle))
    ) {
      refuse(style, `formatDate style must be one of ${DATE_STYLES.map((s) => `"${s}"`).join(', ')}`);
    }
  };

  const walk = (statements: hbs.AST.Statement[]): void => {
    for (const node of statements) {
      switch (node.type) {
        case 'ContentStatement':
        case 'CommentStatement':
          break;
        case 'MustacheStatement': {
          const mustache = node as hbs.AST.MustacheStatement;
          if (!mustache.escaped)
            refuse(node, 'triple-stash {{{…}}} and {{& …}} are not allowed; write {{name}}');
          checkCall(mustache, false);
          break;
        }
        case 'BlockStatement': {
          const block = node as hbs.AST.BlockStatement;
          const name = block.path.type === 'PathExpression' ? block.path.original : '?';
          if (!BLOCK_HELPERS.has(name)) {
            refuse(node, `block "{{#${name}}}" is not allowed; only {{#if x}} and {{#unless x}}`);
          } else if (block.params.length !== 1 || (block.hash && block.hash.pairs.length > 0)) {
            refuse(node, `{{#${name}}} takes exactly one argument`);
          } else {
            checkExpression(block.params[0] as AstNode);
          }
          if (block.program?.blockParams?.length || block.inverse?.blockParams?.length)
            refuse(node, 'block parameters (as |x|) are not allowed');
          if (block.program) walk(block.program.body);
          if (block.inverse) walk(block.inverse.body);
          break;
        }
        case 'PartialStatement':
        case 'PartialBlockStatement':
          refuse(node, 'partials ({{> name}}) are not allowed');
          break;
        case 'Decorator':
        case 'DecoratorBlock':
          refuse(node, 'decorators ({{* name}}) are not allowed');
          break;
        default:
          refuse(node, `${node.type} is not allowed`);
      }
    }
  };
  walk(program.body);
  return problems;
}
