import { timeSortableId } from '@ballast/platform/data/ids.js';

export const PLAYBOOK_ID = /^pb_[0-9A-HJKMNP-TV-Z]{26}$/;
export const CYCLE_ID = /^cy_[0-9A-HJKMNP-TV-Z]{26}$/;
/** an optimisation is named, never read: the optimisation service owns what `op_…` means */
export const OPTIMISATION_REF = /^op_[0-9A-Za-z_-]{1,64}$/;

export const newPlaybookId = (nowMs: number) => timeSortableId('pb_', nowMs);
export const newCycleId = (nowMs: number) => timeSortableId('cy_', nowMs);
export const newDecisionId = (nowMs: number) => timeSortableId('ad_', nowMs);
export const FEEDBACK_ID = /^fd_[0-9A-HJKMNP-TV-Z]{26}$/;
export const newFeedbackId = (nowMs: number) => timeSortableId('fd_', nowMs);
export const newSnapshotId = (nowMs: number) => timeSortableId('ps_', nowMs);
