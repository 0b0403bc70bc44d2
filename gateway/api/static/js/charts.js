// uPlot charts themed from the page's CSS variables. uPlot is the vendored global (vendor/).

const phone = window.matchMedia('(max-width: 900px)').matches;

function themeColors() {
  const css = getComputedStyle(document.documentElement);
  return { ink: css.getPropertyValue('--muted').trim() || '#667085', line: css.getPropertyValue('--line').trim() || '#e4e7ec' };
}

function axes() {
  const c = themeColors();
  const base = { stroke: c.ink, grid: { stroke: c.line, width: 1 }, ticks: { stroke: c.line, width: 1 } };
  return [base, { ...base, size: 56 }];
}

/**
 * A time chart that follows its container's width. `windowSeconds`: show at most that much of the
 * newest data (and at least a minute); `fromZero`: the y axis starts at 0.
 */
export function makeChart(container, series, { windowSeconds = 0, fromZero = false } = {}) {
  const height = phone ? 170 : 200;
  const opts = {
    width: Math.max(240, container.clientWidth),
    height,
    cursor: { drag: { x: false, y: false } },
    legend: { show: false },
    scales: {
      x: {
        time: true,
        range: (_u, min, max) => {
          if (min === null || max === null) return [Date.now() / 1000 - 60, Date.now() / 1000];
          const lo = windowSeconds ? Math.min(max - 60, Math.max(min, max - windowSeconds)) : min;
          return lo === max ? [max - 30, max + 1] : [lo, max];
        },
      },
      y: {
        range: (_u, min, max) =>
          fromZero ? [0, Math.max(1, (max || 0) * 1.15)] : min === max ? [min - 1, max + 1] : uPlot.rangeNum(min, max, 0.1, true),
      },
    },
    axes: axes(),
    series: [{}, ...series],
  };
  const chart = new uPlot(opts, [[], ...series.map(() => [])], container);
  new ResizeObserver(() => chart.setSize({ width: Math.max(240, container.clientWidth), height })).observe(container);
  return chart;
}

/** A reading's field as a chart value: numbers as they are, booleans as 0/1, text not at all. */
export function numericValue(v) {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}
