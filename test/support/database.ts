// The shared test database lives here; filled in with the embedded PostgreSQL bootstrap.
let stopper: (() => Promise<void>) | undefined;

export async function stopTestDatabase(): Promise<void> {
  if (stopper) await stopper();
  stopper = undefined;
}
