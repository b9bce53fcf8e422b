// Backtest: an event-driven, float simulator over candles; money is rounded at the report edge.
export { backtestSteps, runBacktest, type BacktestInput, type BacktestProgress } from './engine.js';
export { downsampleCurve, lttbIndices, MIN_CURVE_POINTS } from './downsample.js';
export {
  BacktestConfigSchema,
  CommissionSchema,
  SizingSchema,
  type BacktestConfig,
  type BacktestConfigInput,
  type CommissionConfig,
  type SizingConfig,
} from './config.js';
export type { BacktestMetrics, BacktestMoney, BacktestResult, ExitReason, Trade } from './types.js';
