// Metrics: returns-based ones follow empyrical exactly; trade metrics document their edge cases.
export { ANNUALIZATION_FACTORS, annualizationFactor, type AnnualizationOptions, type Period } from './annualization.js';
export type { Adjustment } from './nan-stats.js';
export { cumReturns, cumReturnsFinal } from './cum-returns.js';
export { maxDrawdown } from './drawdown.js';
export { annualReturn, annualVolatility, type AnnualVolatilityOptions } from './annual.js';
export { sharpeRatio, type SharpeOptions } from './sharpe.js';
export { sortinoRatio, downsideRisk, type DownsideOptions } from './sortino.js';
export { calmarRatio } from './calmar.js';
export { omegaRatio, type OmegaOptions } from './omega.js';
export {
  profitFactor,
  winRate,
  expectancy,
  recoveryFactor,
  averageTradeDuration,
  type TradePnl,
} from './trades.js';
