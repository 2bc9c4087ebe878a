/** A tiny SVG bar-chart writer (no browser, no dependencies). */

/** One bar group: a label under it and one value per series (NaN = no bar). */
export interface BarGroup {
  label: string;
  values: number[];
}

/** One panel: a title, a unit, series names (legend) and groups of bars. */
export interface Panel {
  title: string;
  unit: string;
  series: string[];
  groups: BarGroup[];
  /** Optional horizontal goal line (same unit), e.g. 50 ms. */
  goal?: { value: number; label: string };
  /** Logarithmic y axis (for latencies spanning several orders of magnitude). */
  log?: boolean;
}

const COLORS = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#d53f8c', '#718096'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const short = (v: number): string =>
  v >= 10_000 ? `${(v / 1000).toFixed(1)}k` : v >= 100 ? v.toFixed(0) : v.toFixed(1);

/** A "nice" upper bound for an axis: 1, 2 or 5 × 10^k, at least `max`. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max) ?? 10 * p;
}

/** Maps values to pixel heights: linear from 0, or log10 from the first power of ten below the data. */
function scaleOf(values: number[], log: boolean, plotH: number): { y0: (v: number) => number; ticks: number[] } {
  if (!log) {
    const max = niceMax(Math.max(...values, 0));
    return { y0: (v) => (Math.max(0, v) / max) * plotH, ticks: [0, 1, 2, 3, 4].map((i) => (max * i) / 4) };
  }
  const positive = values.filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...positive, 1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...positive, lo * 10)));
  const span = Math.log10(hi) - Math.log10(lo);
  const ticks: number[] = [];
  for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(t);
  return { y0: (v) => (v <= lo ? 0 : ((Math.log10(v) - Math.log10(lo)) / span) * plotH), ticks };
}

function panelSvg(p: Panel, x0: number, y0: number, width: number, height: number): string {
  const left = 56;
  const top = 44;
  const bottom = 34;
  const plotW = width - left - 16;
  const plotH = height - top - bottom;
  const values = p.groups.flatMap((g) => g.values).filter(Number.isFinite);
  const scale = scaleOf([...values, p.goal?.value ?? 0], !!p.log, plotH);
  const y = (v: number): number => y0 + top + plotH - scale.y0(v);
  const out: string[] = [];
  out.push(
    `<text x="${x0 + left}" y="${y0 + 18}" font-size="14" font-weight="bold">${esc(p.title)}${p.log ? ' (log scale)' : ''}</text>`,
  );
  const legendStep = Math.min(130, plotW / Math.max(1, p.series.length + (p.goal ? 1.5 : 0)));
  p.series.forEach((s, i) => {
    const lx = x0 + left + i * legendStep;
    out.push(`<rect x="${lx}" y="${y0 + 25}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 14}" y="${y0 + 34}" font-size="11">${esc(s)}</text>`);
  });
  for (const v of scale.ticks) {
    out.push(`<line x1="${x0 + left}" x2="${x0 + left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#e2e8f0"/>`);
    out.push(`<text x="${x0 + left - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end">${short(v)}</text>`);
  }
  out.push(
    `<text x="${x0 + 12}" y="${y0 + top + plotH / 2}" font-size="10" transform="rotate(-90 ${x0 + 12} ${y0 + top + plotH / 2})" text-anchor="middle">${esc(p.unit)}</text>`,
  );
  const groupW = plotW / Math.max(1, p.groups.length);
  const barW = Math.min(28, (groupW * 0.8) / Math.max(1, p.series.length));
  p.groups.forEach((g, gi) => {
    const gx = x0 + left + gi * groupW + (groupW - barW * p.series.length) / 2;
    g.values.forEach((v, si) => {
      if (!Number.isFinite(v)) return;
      const bx = gx + si * barW;
      const cx = bx + (barW - 2) / 2;
      out.push(
        `<rect x="${bx}" y="${y(v)}" width="${barW - 2}" height="${Math.max(0, y0 + top + plotH - y(v))}" fill="${COLORS[si % COLORS.length]}"><title>${esc(`${g.label} ${p.series[si]}: ${short(v)} ${p.unit}`)}</title></rect>`,
      );
      // Narrow bars get their value written upwards so neighbouring labels do not overlap.
      out.push(
        barW < 26
          ? `<text x="${cx + 3}" y="${y(v) - 3}" font-size="9" transform="rotate(-90 ${cx + 3} ${y(v) - 3})">${short(v)}</text>`
          : `<text x="${cx}" y="${y(v) - 3}" font-size="9" text-anchor="middle">${short(v)}</text>`,
      );
    });
    out.push(
      `<text x="${x0 + left + gi * groupW + groupW / 2}" y="${y0 + height - bottom + 16}" font-size="11" text-anchor="middle">${esc(g.label)}</text>`,
    );
  });
  if (p.goal) {
    const gy = y(p.goal.value);
    out.push(
      `<line x1="${x0 + left}" x2="${x0 + left + plotW}" y1="${gy}" y2="${gy}" stroke="#e53e3e" stroke-dasharray="5,4"/>`,
    );
    const lx = x0 + left + p.series.length * legendStep;
    out.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${y0 + 30}" y2="${y0 + 30}" stroke="#e53e3e" stroke-dasharray="5,4"/>`,
    );
    out.push(`<text x="${lx + 22}" y="${y0 + 34}" font-size="11" fill="#e53e3e">${esc(p.goal.label)}</text>`);
  }
  out.push(
    `<line x1="${x0 + left}" x2="${x0 + left + plotW}" y1="${y0 + top + plotH}" y2="${y0 + top + plotH}" stroke="#4a5568"/>`,
  );
  return out.join('\n');
}

/**
 * Renders panels in a grid (2 per row) as one standalone SVG document.
 * @param title heading over all panels
 */
export function renderChart(title: string, panels: Panel[], panelW = 480, panelH = 280): string {
  const cols = Math.min(2, panels.length);
  const rows = Math.ceil(panels.length / cols);
  const width = cols * panelW;
  const height = rows * panelH + 36;
  const body = panels
    .map((p, i) => panelSvg(p, (i % cols) * panelW, 36 + Math.floor(i / cols) * panelH, panelW, panelH))
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}
