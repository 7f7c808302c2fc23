import type { LossModel } from '../link-spec.js';
import type { Rng } from './rng.js';

/** Decides, packet by packet, whether the link loses it. */
export type LossDecider = () => boolean;

/**
 * Builds the loss decision for a model. Gilbert-Elliott follows the kernel's
 * netem (`loss_gilb_ell`): first the state moves, then the loss draw uses
 * the new state's probability, so the averages match tc's for the same
 * parameters.
 */
export function createLoss(model: LossModel, rng: Rng): LossDecider {
  if (model.kind === 'random') {
    const p = model.pct / 100;
    if (p <= 0) return () => false;
    return () => rng() < p;
  }
  const p = model.pPct / 100;
  const r = model.rPct / 100;
  const badLoss = model.badLossPct / 100;
  const goodLoss = model.goodLossPct / 100;
  let bad = false;
  return () => {
    // Step 1: move the chain.
    if (bad) {
      if (rng() < r) bad = false;
    } else if (rng() < p) {
      bad = true;
    }
    // Step 2: lose with the current state's probability.
    return rng() < (bad ? badLoss : goodLoss);
  };
}
