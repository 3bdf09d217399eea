/**
 * Numbers and text as a learner reads them in any view: elapsed seconds, percentages, parameter
 * counts, the first words of a text (for a tab title).
 */

/** "1m 05s" / "12.3 s": elapsed seconds for a learner. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
    return '';
  }
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return `${minutes}m ${String(rest).padStart(2, '0')}s`;
}

/** "93.1%" for a fraction; "–" when unknown. */
export function formatPercent(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '–';
}

/** "12,345" for a parameter count. */
export function formatCount(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The first words of a text, for a tab title. */
export function firstWords(text: string, count = 5, maxLength = 40): string {
  const words = (text || '').trim().split(/\s+/).filter(Boolean);
  let out = words.slice(0, count).join(' ');
  if (out.length > maxLength) {
    out = out.slice(0, maxLength - 1).trimEnd() + '…';
  } else if (words.length > count) {
    out += ' …';
  }
  return out;
}
