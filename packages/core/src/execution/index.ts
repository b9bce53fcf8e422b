// Execution: the order state machine, the simulation's fill, fee and slippage models, its
// seeded draws, the allocation check set, and journal statistics. Exact decimal throughout.
export * from './order-state.js';
export * from './costs.js';
export * from './triggers.js';
export * from './prng.js';
export * from './fill-draws.js';
export * from './allocation-checks.js';
export * from './journal-stats.js';
