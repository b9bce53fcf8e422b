import { timeSortableId } from '@ballast/platform/data/ids.js';

/** the trading desk's orders name a signal by this shape (`signalId`) */
export const SIGNAL_ID = /^sg_[0-9A-HJKMNP-TV-Z]{26}$/;
export const newSignalId = (nowMs: number) => timeSortableId('sg_', nowMs);
export const OPTIMISATION_ID = /^op_[0-9A-HJKMNP-TV-Z]{26}$/;
export const newOptimisationId = (nowMs: number) => timeSortableId('op_', nowMs);

export const BACKTEST_ID = /^bt_[0-9A-HJKMNP-TV-Z]{26}$/;
export const newBacktestId = (nowMs: number) => timeSortableId('bt_', nowMs);
