// A small in-process cache of pending or finished results, most recently used kept. Images
// a unit reuses on every card it issues (its background photo, its logo) are decoded and
// resized once instead of per card; a failed job is forgotten, so the same bytes fail again
// with the same message instead of a remembered one.
export class RecentCache<T> {
  readonly #items = new Map<string, Promise<T>>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The job remembered under `key`, or `make()`'s, remembered until it fails or ages out. */
  get(key: string, make: () => Promise<T>): Promise<T> {
    const hit = this.#items.get(key);
    if (hit) {
      // Re-inserted, so it becomes the newest in the map's order.
      this.#items.delete(key);
      this.#items.set(key, hit);
      return hit;
    }
    const job = make();
    this.#items.set(key, job);
    job.catch(() => {
      if (this.#items.get(key) === job) this.#items.delete(key);
    });
    if (this.#items.size > this.#limit) {
      const oldest = this.#items.keys().next().value;
      if (oldest !== undefined) this.#items.delete(oldest);
    }
    return job;
  }

  get size(): number {
    return this.#items.size;
  }
}
