import { AreaSeries, ColorType, createChart, type IChartApi, LineSeries, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'react';

export interface Point {
  /** ISO 8601 instant or date */
  at: string;
  value: number;
}

/**
 * A time series drawn with TradingView's lightweight-charts (canvas). Charts are for looking: the
 * values arrive as the API's figures and are plotted as numbers; money shown as text elsewhere stays
 * decimal. The figure is labelled, and its last value is in text for screen readers.
 */
export function LineChart(props: {
  label: string;
  points: Point[];
  kind?: 'line' | 'area';
  height?: number;
  /** e.g. drawdown in red */
  colour?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | undefined>(undefined);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const styles = getComputedStyle(document.documentElement);
    const text = styles.getPropertyValue('--text').trim() || '#1b1f24';
    const colour = props.colour ?? (styles.getPropertyValue('--accent').trim() || '#2563eb');
    const c = createChart(el, {
      height: props.height ?? 280,
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: text },
      grid: { vertLines: { visible: false }, horzLines: { color: 'rgba(127,127,127,0.2)' } },
      timeScale: { timeVisible: true },
    });
    const series =
      props.kind === 'area'
        ? c.addSeries(AreaSeries, { lineColor: colour, topColor: `${colour}55`, bottomColor: `${colour}05` })
        : c.addSeries(LineSeries, { color: colour, lineWidth: 2 });
    const seen = new Set<number>();
    const data = props.points
      .map((p) => ({ time: Math.floor(Date.parse(p.at) / 1000) as UTCTimestamp, value: p.value }))
      .filter((p) => Number.isFinite(p.time) && Number.isFinite(p.value))
      .sort((a, b) => a.time - b.time)
      .filter((p) => (seen.has(p.time) ? false : (seen.add(p.time), true)));
    series.setData(data);
    c.timeScale().fitContent();
    chart.current = c;
    return () => {
      c.remove();
      chart.current = undefined;
    };
  }, [props.points, props.kind, props.colour, props.height]);
  const last = props.points[props.points.length - 1];
  return (
    <figure className="chart" aria-label={props.label}>
      <figcaption>
        {props.label}
        {last ? (
          <span className="sr-only">
            , last value {last.value} at {last.at}
          </span>
        ) : null}
      </figcaption>
      <div ref={box} className="chart-canvas" data-points={props.points.length} />
      {props.points.length === 0 ? <p>No data to draw yet.</p> : null}
    </figure>
  );
}
