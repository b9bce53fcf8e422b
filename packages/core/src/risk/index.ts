// Risk: hard limits, the pre-trade validator, fixed-risk sizing and account state transitions.
export * from './limits.js';
export * from './state.js';
export * from './validator.js';
export * from './effects.js';
export * from './sizer.js';
export * from './schemas.js';
