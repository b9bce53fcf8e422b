// Backtest: an event-driven, float simulator over candles; money is rounded at the report edge.
export { runBacktest, type BacktestInput } from './engine.js';
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
