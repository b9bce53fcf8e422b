export * from './recurrence.js';
