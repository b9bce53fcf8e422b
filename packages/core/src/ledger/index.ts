// Ledger: entries, FIFO lots, the pure book engine and holding figures.
export * from './types.js';
export * from './book.js';
export * from './figures.js';
export { consumedBasis } from './lots.js';
export { splitRatio } from './fields.js';
