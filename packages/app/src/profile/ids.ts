import { timeSortableId } from '@ballast/platform/data/ids.js';

/** An erasure's id: named by its audit tombstone (no personal data in it) and the erasure's answer. */
export const newErasureId = (nowMs: number) => timeSortableId('er_', nowMs);
