// Seeded pseudo-random numbers: the same seed and key always give the same sequence, so
// engagement curves are reproducible across runs (MOCK_SEED).

/** FNV-1a over the text, mixed with the seed: a stable 32-bit key for one simulated object. */
export function hashKey(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for simulation. Returns floats in [0, 1). */
export function createRng(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function between(rng: () => number, low: number, high: number): number {
  return low + (high - low) * rng();
}
