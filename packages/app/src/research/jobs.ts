/**
 * The research context's jobs: one slice a file (large backtests, optimisation chunks), merged
 * here like its routes.
 */
export const jobs = {};
