// Performance: time-weighted return over a valuation chain, money-weighted return (XIRR), periods.
export {
  dayReturn,
  PERFORMANCE_PERIODS,
  PerformancePeriodSchema,
  periodChain,
  periodStart,
  periodTwr,
  timeWeightedReturn,
  ValuationChainSchema,
  ValuationDaySchema,
  type PerformancePeriod,
  type TwrPoint,
  type TwrResult,
  type ValuationDay,
} from './twr.js';
export {
  CashFlowSchema,
  xirr,
  XirrInputSchema,
  xnpv,
  type CashFlow,
  type XirrFailure,
  type XirrInput,
  type XirrResult,
} from './xirr.js';
export { IsoDateSchema, isIsoDate } from './dates.js';
export {
  periodPerformance,
  seriesXirrFlows,
  valuationSeries,
  xirrFlows,
  type PeriodPerformance,
  type PeriodPerformanceInput,
  type ValuationInput,
  type ValuationRow,
  type ValuationSeries,
} from './valuation.js';
