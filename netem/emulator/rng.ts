/**
 * Seeded random numbers for the emulator. sfc32 is small, fast and passes
 * PractRand far beyond what a link run draws; each direction gets its own
 * stream so a run with the same seed and the same packets makes the same
 * choices in each direction independently of the other.
 */
export type Rng = () => number;

/** splitmix32: spreads a small integer seed over the whole state space. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A uniform [0, 1) generator for `seed` and `stream` (e.g. 0 = up, 1 = down). */
export function createRng(seed: number, stream = 0): Rng {
  const init = splitmix32((seed ^ Math.imul(stream + 1, 0x27d4eb2f)) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  // Step 1: discard the first outputs, which still carry structure from the seed.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A standard normal sample (Box–Muller; the spare value is kept for the next call). */
export function normalSampler(rng: Rng): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rng(); // (0, 1]: log(0) never happens
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
