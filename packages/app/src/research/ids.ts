import { timeSortableId } from '@ballast/platform/data/ids.js';

/** the trading desk's orders name a signal by this shape (`signalId`) */
export const SIGNAL_ID = /^sg_[0-9A-HJKMNP-TV-Z]{26}$/;
export const newSignalId = (nowMs: number) => timeSortableId('sg_', nowMs);
