import { timeSortableId } from '@ballast/platform/data/ids.js';

export const CATEGORY_ID = /^ct_[0-9A-HJKMNP-TV-Z]{26}$/;
export const newCategoryId = (nowMs: number) => timeSortableId('ct_', nowMs);
