/** The fixed one-minute window a request falls in, and when its counter may expire (epoch s). */
export function rateWindow(startedAtMs: number): { window: number; reset: number; expires: number } {
  const nowSeconds = Math.floor(startedAtMs / 1000);
  const window = Math.floor(nowSeconds / 60);
  return { window, reset: (window + 1) * 60 - nowSeconds, expires: (window + 2) * 60 };
}
