// What a holding is worth and what it has gained, from its lots and a price. Exact decimals in
// the position's currency: rounding for display belongs to whoever displays them.
import { Dec, decimalString, money } from '../money.js';
import { totalBasis, totalQuantity } from './lots.js';
import type { PositionState } from './types.js';

export interface HoldingFigures {
  quantity: string;
  costBasis: string;
  /** costBasis / quantity; "0" when nothing is held. */
  averageCost: string;
  /** quantity · price; only with a price. */
  marketValue?: string;
  /** marketValue − costBasis; only with a price. */
  unrealisedGain?: string;
  /** unrealisedGain / costBasis · 100; only with a price and a non-zero basis. */
  unrealisedGainPct?: string;
}

/** Units held: the sum of the open lots. */
export function positionQuantity(position: PositionState): string {
  return decimalString(totalQuantity(position.lots));
}

/** Quantity, basis and average cost of `position`; with `price` (position currency) also value and gain. */
export function holdingFigures(position: PositionState, price?: string): HoldingFigures {
  const quantity = totalQuantity(position.lots);
  const costBasis = totalBasis(position.lots);
  const figures: HoldingFigures = {
    quantity: decimalString(quantity),
    costBasis: decimalString(costBasis),
    averageCost: decimalString(quantity.isZero() ? new Dec(0) : costBasis.div(quantity)),
  };
  if (price === undefined) return figures;
  const marketValue = quantity.times(money(price));
  const gain = marketValue.minus(costBasis);
  figures.marketValue = decimalString(marketValue);
  figures.unrealisedGain = decimalString(gain);
  if (!costBasis.isZero()) figures.unrealisedGainPct = decimalString(gain.div(costBasis).times(100));
  return figures;
}
