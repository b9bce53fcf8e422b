// Lot arithmetic: FIFO consumption and splits, exact decimals throughout.
import { Dec, decimalString, money, type D } from '../money.js';
import type { Lot, RealisedLot } from './types.js';

/** Significant digits of `Dec`; kept in step with money.ts's precision. */
const PRECISION = 34;

/** FIFO order: oldest acquisition first, then the opening entry's id (ids are time-sortable). */
export function compareLots(a: Lot, b: Lot): number {
  if (a.acquired !== b.acquired) return a.acquired < b.acquired ? -1 : 1;
  if (a.lotId !== b.lotId) return a.lotId < b.lotId ? -1 : 1;
  return 0;
}

export function totalQuantity(lots: readonly Lot[]): D {
  return lots.reduce((sum, lot) => sum.plus(money(lot.quantity)), new Dec(0));
}

export function totalBasis(lots: readonly Lot[]): D {
  return lots.reduce((sum, lot) => sum.plus(money(lot.costBasis)), new Dec(0));
}

/** `lots` with `lot` added in FIFO place. */
export function insertLot(lots: readonly Lot[], lot: Lot): Lot[] {
  return [...lots, lot].sort(compareLots);
}

/**
 * The basis that leaves a lot with `take` of its `quantity` units: basis · take / quantity.
 * The division may not terminate, so it is rounded, and onto a grid chosen so that the lot's
 * remaining basis, basis − consumed, is exact in 34 digits: 34 significant digits counted from
 * the basis's leading digit. Consumed and remaining then add up to the basis exactly, sell
 * after sell, so no basis is ever created or lost by rounding.
 */
export function consumedBasis(basis: D, take: D, quantity: D): D {
  if (take.eq(quantity)) return basis;
  if (basis.isZero()) return new Dec(0);
  const decimalPlaces = Math.max(0, PRECISION - 1 - basis.e);
  return basis.times(take).div(quantity).toDecimalPlaces(decimalPlaces);
}

export interface FifoTake {
  /** The lots left, FIFO order, emptied ones removed. */
  remaining: Lot[];
  taken: RealisedLot[];
  /** Σ taken basis. */
  costBasis: D;
}

/** Removes `quantity` units, oldest lot first. The caller has checked that enough is held. */
export function takeFifo(lots: readonly Lot[], quantity: D): FifoTake {
  const remaining: Lot[] = [];
  const taken: RealisedLot[] = [];
  let costBasis = new Dec(0);
  let toTake = quantity;
  for (const lot of [...lots].sort(compareLots)) {
    const lotQuantity = money(lot.quantity);
    if (toTake.isZero()) {
      remaining.push(lot);
      continue;
    }
    const take = Dec.min(toTake, lotQuantity);
    const basis = money(lot.costBasis);
    const consumed = consumedBasis(basis, take, lotQuantity);
    taken.push({
      lotId: lot.lotId,
      acquired: lot.acquired,
      quantity: decimalString(take),
      costBasis: decimalString(consumed),
    });
    costBasis = costBasis.plus(consumed);
    toTake = toTake.minus(take);
    if (take.lt(lotQuantity)) {
      remaining.push({
        ...lot,
        quantity: decimalString(lotQuantity.minus(take)),
        costBasis: decimalString(basis.minus(consumed)),
      });
    }
  }
  return { remaining, taken, costBasis };
}

/**
 * Every lot's quantity times new/old, its basis untouched. Multiplying before dividing keeps
 * ratios like "3:2" exact; one whose division does not terminate ("2:3") rounds the quantity at
 * 34 significant digits (a broker settles such fractions with a separate cash-in-lieu entry).
 */
export function splitLots(lots: readonly Lot[], newShares: D, oldShares: D): Lot[] {
  return lots.map((lot) => ({
    ...lot,
    quantity: decimalString(money(lot.quantity).times(newShares).div(oldShares)),
  }));
}
