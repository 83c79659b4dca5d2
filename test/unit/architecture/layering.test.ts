// The layering rules of docs/ARCHITECTURE.md, checked by dependency-cruiser with the rules in
// .dependency-cruiser.cjs: `npm test` fails, naming each import that breaks one.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
const config = require('../../../.dependency-cruiser.cjs') as IConfiguration;

describe('layering rules (dependency-cruiser)', function () {
  // Reads and resolves every file under server/: seconds, more on a busy machine.
  this.timeout(120_000);

  it('finds no import that breaks a rule of .dependency-cruiser.cjs', async () => {
    const { output } = await cruise(['server'], {
      ruleSet: { forbidden: config.forbidden ?? [] },
      ...config.options,
      validate: true,
    });
    const result = output as ICruiseResult;
    assert.ok(result.summary.totalCruised > 100, 'cruised the server tree');
    const violations = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    assert.deepEqual(violations, [], `layering violations:\n${violations.join('\n')}`);
  });
});
