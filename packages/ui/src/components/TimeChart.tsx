import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ChartData } from "../charts/pivot.js";

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563"];

interface Props {
  title: string;
  data: ChartData;
  /** How a y value is printed on the axis and in the legend. */
  format?: (v: number) => string;
}

/** A uPlot line chart, rebuilt when its data changes (cheap at the ~120 points the API returns). */
export function TimeChart({ title, data, format = (v) => String(v) }: Props) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const chart = new uPlot(
      {
        title,
        width: Math.max(320, el.clientWidth),
        height: 220,
        series: [
          {},
          ...data.lines.map((line, i) => ({
            label: line.label,
            stroke: PALETTE[i % PALETTE.length],
            width: 2,
            value: (_u: uPlot, v: number | null) => (v === null ? "–" : format(v)),
          })),
        ],
        axes: [{}, { values: (_u: uPlot, ticks: number[]) => ticks.map(format), size: 90 }],
      },
      [data.x, ...data.lines.map((l) => l.values)],
      el,
    );
    return () => chart.destroy();
  }, [title, data, format]);
  return <div class="chart" ref={host} />;
}
