// Loa's layering rules (docs/ARCHITECTURE.md, "Rules"), checked by dependency-cruiser inside
// `npm test` (test/unit/architecture/layering.test.ts) and by `npx depcruise server`.
// Each rule is one entry of `forbidden`; add a rule as one more entry.

/** Loa's feature modules (server/<module>/); infrastructure (http, db, jobs, i18n, shared …) is not one. */
const MODULES =
  '^server/(users|auth|audit|system|templates|media|channels|campaigns|posts|publishing|links|notifications|public-pages|retraction|amplification|engagement)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'sql-only-in-repositories',
      comment:
        'Only repositories (*.repo.ts), server/db/ and server/jobs/ (Agenda) speak SQL: drizzle-orm and the tables of server/db/schema.ts stay there. ' +
        "Types from the schema are fine anywhere; zod input schemas (*.schemas.ts) may take the schema's value lists.",
      severity: 'error',
      from: { path: '^server/', pathNot: ['\\.repo\\.ts$', '^server/db/', '^server/jobs/'] },
      to: { path: '^node_modules/drizzle-orm/' },
    },
    {
      name: 'schema-tables-only-in-repositories',
      comment:
        'server/db/schema.ts (tables and their value lists): outside repositories, server/db/ and server/jobs/ only its types, ' +
        'and the value lists in zod input schemas (*.schemas.ts).',
      severity: 'error',
      from: {
        path: '^server/',
        pathNot: ['\\.repo\\.ts$', '^server/db/', '^server/jobs/', '\\.schemas\\.ts$'],
      },
      to: { path: '^server/db/schema\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'services-know-no-http',
      comment: 'Services never see req/res: no express, nothing from server/http/.',
      severity: 'error',
      from: { path: '\\.service\\.ts$' },
      to: { path: ['^node_modules/express/', '^server/http/'] },
    },
    {
      name: 'connectors-and-rendering-import-no-module',
      comment:
        'Connectors (platform APIs) and rendering (sharp) are used by modules, never the other way round.',
      severity: 'error',
      from: { path: '^server/(connectors|rendering)/' },
      to: { path: MODULES },
    },
    {
      name: 'mock-platforms-import-no-loa',
      comment:
        'The mock Facebook and Zalo servers stand alone (only config and logger, for their own runner).',
      severity: 'error',
      from: { path: '^server/mock-platforms/' },
      to: {
        path: '^server/',
        pathNot: ['^server/mock-platforms/', '^server/config\\.ts$', '^server/logger\\.ts$'],
      },
    },
    {
      name: 'loa-imports-no-mock-platforms',
      comment: 'Loa reaches the mocks over HTTP; only the process root starts them (development and tests).',
      severity: 'error',
      from: { path: '^server/', pathNot: ['^server/mock-platforms/', '^server/(main|start)\\.ts$'] },
      to: { path: '^server/mock-platforms/' },
    },
    // feat/pages adds here: "pages and routes never import a repository or server/db/".
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
