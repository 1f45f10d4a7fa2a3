/**
 * A seeded xorshift32 generator in [0, 1): the same sample on every run, so measurements and
 * property-style specs are repeatable (Math.random cannot be seeded).
 */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}
