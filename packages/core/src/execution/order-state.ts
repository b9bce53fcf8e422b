// The order lifecycle (SPEC: pending → submitted → filled / partially filled / cancelled /
// rejected) as a transition table, and the arithmetic of adding a fill to an order.
import { decimalString, money, type DecimalInput } from '../money.js';

export const ORDER_STATUSES = [
  'pending',
  'previewed',
  'submitted',
  'partially_filled',
  'filled',
  'cancelled',
  'rejected',
  'expired',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses an order never leaves. A preview (GUIDE mode) is final: executing it is a new order. */
export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set<OrderStatus>([
  'previewed',
  'filled',
  'cancelled',
  'rejected',
  'expired',
]);

// A submitted order does not go back to submitted: a repeated broker acknowledgement is a
// no-op for the caller to recognise, not a transition. A partial fill may follow a partial fill.
const NEXT: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['previewed', 'submitted', 'rejected', 'cancelled'],
  previewed: [],
  submitted: ['partially_filled', 'filled', 'cancelled', 'rejected', 'expired'],
  partially_filled: ['partially_filled', 'filled', 'cancelled', 'expired'],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

/** Whether an order may move from `from` to `to`. Unknown statuses are never allowed. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return Object.hasOwn(NEXT, from) && NEXT[from].includes(to);
}

export class OrderTransitionError extends Error {
  readonly code = 'INVALID_ORDER_TRANSITION';

  constructor(
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    super(`an order cannot go from ${String(from)} to ${String(to)}`);
    this.name = 'OrderTransitionError';
  }
}

/** Throws an OrderTransitionError unless `canTransition(from, to)`. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) throw new OrderTransitionError(from, to);
}

export interface OrderFillState {
  quantity: string;
  filledQuantity: string;
  /** volume-weighted over the fills so far; required once filledQuantity > 0 */
  averageFillPrice?: string;
}

export interface FillResult {
  filledQuantity: string;
  averageFillPrice: string;
  remaining: string;
  status: 'partially_filled' | 'filled';
}

/**
 * Add a fill to an order: the new filled quantity, the volume-weighted average fill price and
 * what remains. Quantities are exact; the average is a quotient, so it is exact to 34
 * significant digits (a fill sequence such as 1 @ 1, 2 @ 2 averages 5/3). Throws a RangeError
 * for a fill quantity or price ≤ 0, a fill beyond the order's quantity, or an inconsistent order.
 */
export function applyFill(order: OrderFillState, fill: { quantity: DecimalInput; price: DecimalInput }): FillResult {
  const quantity = money(order.quantity);
  const filled = money(order.filledQuantity);
  const fillQuantity = money(fill.quantity);
  const fillPrice = money(fill.price);
  if (!quantity.gt(0)) throw new RangeError('order quantity must be positive');
  if (filled.lt(0) || filled.gt(quantity)) throw new RangeError('filledQuantity must be between 0 and the quantity');
  if (!fillQuantity.gt(0)) throw new RangeError('fill quantity must be positive');
  if (!fillPrice.gt(0)) throw new RangeError('fill price must be positive');
  const newFilled = filled.plus(fillQuantity);
  if (newFilled.gt(quantity)) {
    throw new RangeError(
      `fill of ${decimalString(fillQuantity)} exceeds the remaining ${decimalString(quantity.minus(filled))}`,
    );
  }
  let average = fillPrice;
  if (filled.gt(0)) {
    if (order.averageFillPrice === undefined) throw new RangeError('averageFillPrice is required once filled');
    const previous = money(order.averageFillPrice);
    if (!previous.gt(0)) throw new RangeError('averageFillPrice must be positive');
    average = previous.times(filled).plus(fillPrice.times(fillQuantity)).div(newFilled);
  }
  const remaining = quantity.minus(newFilled);
  return {
    filledQuantity: decimalString(newFilled),
    averageFillPrice: decimalString(average),
    remaining: decimalString(remaining),
    status: remaining.isZero() ? 'filled' : 'partially_filled',
  };
}
