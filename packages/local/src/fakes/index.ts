import type { FakeVendorServer } from './fake-server.js';
import { FAKE_POLYGON_KEY, type FakePolygonOptions, startFakePolygon } from './polygon.js';
import { FAKE_TWELVE_DATA_KEY, type FakeTwelveDataOptions, startFakeTwelveData } from './twelvedata.js';

export type { FakeInstrument } from './catalogue.js';
export {
  type AlpacaOrderJson,
  FAKE_ALPACA_KEY_ID,
  FAKE_ALPACA_SECRET,
  type FakeAlpaca,
  type FakeAlpacaFailure,
  type FakeAlpacaOptions,
  startFakeAlpaca,
} from './alpaca.js';
export { FAKE_INSTRUMENTS, searchInstruments } from './catalogue.js';
export type { FakeRequest, FakeVendorServer, Script, ScriptedResponse } from './fake-server.js';
export { FAKE_POLYGON_KEY, type FakePolygonOptions, startFakePolygon } from './polygon.js';
export { deterministicCandles, deterministicQuote, type FakeQuote } from './prices.js';
export { FAKE_TWELVE_DATA_KEY, type FakeTwelveDataOptions, startFakeTwelveData } from './twelvedata.js';

export interface FakeMarketData {
  twelveData: FakeVendorServer;
  polygon: FakeVendorServer;
  /** the keys each fake accepts, for the local secret store and routing entries */
  keys: { twelvedata: string; polygon: string };
  close(): Promise<void>;
}

/**
 * Both fake market-data vendors for the local runtime, on the runtime's clock (so time travel
 * moves their prices and their per-minute limits too). Limits are off unless asked for.
 */
export async function startFakeMarketData(
  options: { now?: () => number; twelveData?: FakeTwelveDataOptions; polygon?: FakePolygonOptions } = {},
): Promise<FakeMarketData> {
  const twelveData = await startFakeTwelveData({ now: options.now, ...options.twelveData });
  const polygon = await startFakePolygon({ now: options.now, ...options.polygon }).catch(async (e: unknown) => {
    await twelveData.close();
    throw e;
  });
  return {
    twelveData,
    polygon,
    keys: { twelvedata: FAKE_TWELVE_DATA_KEY, polygon: FAKE_POLYGON_KEY },
    close: async () => {
      await Promise.all([twelveData.close(), polygon.close()]);
    },
  };
}
