import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: number[];
  color: string;
  /** Drawn as bars rather than a line with points. */
  bars?: boolean;
  /** Stacked on the series before it (drawn as their sum, labelled with its own values). */
  stacked?: boolean;
}

/** The uPlot instance, kept on its element so a test (or a curious admin) can read what it drew. */
export type ChartElement = HTMLDivElement & { uplot?: uPlot };

const HEIGHT = 220;

/** Bucket dates (`YYYY-MM-DD`, UTC) as uPlot's x values: Unix seconds at 00:00 UTC. */
function xValues(dates: string[]): number[] {
  return dates.map((date) => Date.parse(`${date}T00:00:00Z`) / 1000);
}

function buildData(dates: string[], series: ChartSeries[]): uPlot.AlignedData {
  const drawn: number[][] = [];
  series.forEach((s, i) => {
    drawn.push(s.stacked && i > 0 ? s.values.map((v, j) => v + drawn[i - 1][j]) : s.values);
  });
  return [xValues(dates), ...drawn];
}

/**
 * One uPlot chart over the analytics buckets, sized to its container (1280 px wide screens and
 * phones alike). Times are shown in UTC, as the buckets are.
 */
export function Chart(props: { id: string; title: string; dates: string[]; series: ChartSeries[]; unit?: string }) {
  const box = useRef<ChartElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props.series);
  latest.current = props.series;
  const shape = props.series.map((s) => `${s.label}:${s.bars ? 'b' : 'l'}:${s.stacked ? 's' : ''}`).join('|');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    const series: uPlot.Series[] = [
      { label: 'Bucket', value: (_u, ts) => (ts === null ? '—' : new Date(ts * 1000).toISOString().slice(0, 10)) },
      ...props.series.map((s, i): uPlot.Series => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        fill: s.bars || s.stacked ? `${s.color}55` : undefined,
        paths: s.bars ? bars : undefined,
        points: { show: !s.bars, size: 6 },
        // A stacked series is drawn as a running sum; its legend shows its own value.
        value: (_u, v, _si, idx) => (v === null || idx === null ? '—' : `${(s.stacked ? latest.current[i].values[idx] : v).toLocaleString('en-US', { maximumFractionDigits: 2 })}${props.unit ? ` ${props.unit}` : ''}`),
      })),
    ];
    const bands: uPlot.Band[] = props.series.flatMap((s, i) => (s.stacked && i > 0 ? [{ series: [i + 1, i] as [number, number], fill: `${s.color}55` }] : []));
    const u = new uPlot(
      {
        width: Math.max(240, el.clientWidth),
        height: HEIGHT,
        series,
        bands,
        scales: {
          // Half a bucket of room at both ends, so the first and last bars are drawn whole.
          x: {
            time: true,
            range: (u, min, max) => {
              const xs = u.data[0];
              const half = (xs.length > 1 ? xs[1] - xs[0] : 86_400) / 2;
              return [min - half, max + half];
            },
          },
          y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
        },
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        axes: [{}, { size: 56 }],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      },
      buildData(props.dates, props.series),
      el,
    );
    plot.current = u;
    el.uplot = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(240, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
      el.uplot = undefined;
    };
    // Rebuilt only when the series change shape; new numbers just call setData below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(buildData(props.dates, props.series));
  }, [props.dates, props.series]);

  return (
    <figure class="chart">
      <figcaption id={`${props.id}-title`}>{props.title}</figcaption>
      <div ref={box} data-chart={props.id} role="img" aria-labelledby={`${props.id}-title`} />
    </figure>
  );
}
