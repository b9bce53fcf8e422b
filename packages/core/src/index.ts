// Public entry of @ballast/core: pure domain math. No I/O, no AWS, no clock (time is an argument).
export * from './money.js';
export * from './money-schema.js';
export * from './indicators/index.js';
export * from './volume-profile.js';
export * from './metrics/index.js';
export * from './strategies/index.js';
export * from './backtest/index.js';
export * from './optimiser/index.js';
export * from './risk/index.js';
export * from './rebalance/index.js';
export * from './ledger/index.js';
export * from './performance/index.js';
export * from './execution/index.js';
