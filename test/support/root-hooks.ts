// Root hooks for the whole mocha run: the shared test database (started lazily by the
// first test that needs it) is stopped once at the very end.
import { stopTestDatabase } from './database.ts';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await stopTestDatabase();
  },
};
