// Rebalancing: bands, target validation, fees and the cash-safe trade planner.
export * from './band.js';
export * from './targets.js';
export * from './fees.js';
export * from './planner.js';
export * from './schemas.js';
export * from './allocation.js';
export * from './proposal.js';
