// Indicators: ArrayLike<number> in, Float64Array out (optional caller-owned `out`), NaN during
// warm-up, TA-Lib conventions; each has a streaming twin that yields identical numbers.
export { sma, SmaStream } from './sma.js';
export { ema, EmaStream } from './ema.js';
export { wma, WmaStream } from './wma.js';
export { rsi, RsiStream } from './rsi.js';
export { atr, trueRange, AtrStream } from './atr.js';
export { macd, MacdStream, type MacdResult, type MacdOptions } from './macd.js';
export { stdev, StdevStream } from './stdev.js';
export { bollinger, BollingerStream, type BollingerResult } from './bollinger.js';
export { donchian, DonchianStream, type DonchianResult } from './donchian.js';
export { vwap, VwapStream } from './vwap.js';
export { pivots, PivotStream, type PivotsResult } from './pivots.js';
export { fibonacciLevels, FIBONACCI_RATIOS, type FibonacciLevel } from './fibonacci.js';
export {
  linearRegression,
  LinearRegressionStream,
  fitLine,
  type LinearRegressionResult,
  type LineFit,
} from './linear-regression.js';
