import { timeSortableId } from '@ballast/platform/data/ids.js';

export const CATEGORY_ID = /^ct_[0-9A-HJKMNP-TV-Z]{26}$/;
export const newCategoryId = (nowMs: number) => timeSortableId('ct_', nowMs);

export const PROPOSAL_ID = /^rp_[0-9A-HJKMNP-TV-Z]{26}$/;
export const EXECUTION_ID = /^rx_[0-9A-HJKMNP-TV-Z]{26}$/;
export const SCHEDULE_ID = /^rs_[0-9A-HJKMNP-TV-Z]{26}$/;
export const RULE_ID = /^rl_[0-9A-HJKMNP-TV-Z]{26}$/;
export const newProposalId = (nowMs: number) => timeSortableId('rp_', nowMs);
export const newExecutionId = (nowMs: number) => timeSortableId('rx_', nowMs);
export const newScheduleId = (nowMs: number) => timeSortableId('rs_', nowMs);
export const newRuleId = (nowMs: number) => timeSortableId('rl_', nowMs);
export const newRuleRunId = (nowMs: number) => timeSortableId('ru_', nowMs);
