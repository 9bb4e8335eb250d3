/** What every line chart of the client shares: no animation, a small title, the legend under it, axis tooltips. */
export function chartFrame(title: string) {
  return {
    animation: false,
    title: { text: title, left: 0, textStyle: { fontSize: 13, fontWeight: 600 } },
    tooltip: { trigger: 'axis' as const },
    legend: { top: 28, left: 0, itemHeight: 8 },
  };
}
