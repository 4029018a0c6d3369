/**
 * Colours and fonts of the charts, read from the page's `--dslab-*` CSS variables: the static
 * report defines them (light and dark), the Results panel maps them onto VS Code's theme.
 */
import { Chart } from 'chart.js';

/** The value of a CSS variable on the root element, or `fallback` when unset. */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

/** The colour of the i-th series (space), cycling through eight. */
export function seriesColor(i: number): string {
  return cssVar(`--dslab-series-${(i % 8) + 1}`, '#888888');
}

export const mutedColor = (): string => cssVar('--dslab-muted', '#656d76');
export const accentColor = (): string => cssVar('--dslab-accent', '#0969da');
export const foregroundColor = (): string => cssVar('--dslab-fg', '#1f2328');

/** Sets Chart.js's defaults from the current theme; charts built afterwards use them. */
export function applyTheme(): void {
  Chart.defaults.color = foregroundColor();
  Chart.defaults.borderColor = cssVar('--dslab-grid', 'rgba(127,127,127,0.2)');
  Chart.defaults.font.family = cssVar('--dslab-font', 'sans-serif');
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
}

/**
 * Calls `onChange` when VS Code switches the colour theme: it sets the body's class
 * (`vscode-light`, `vscode-dark`, `vscode-high-contrast`…) and the root's CSS variables.
 */
export function observeTheme(onChange: () => void): MutationObserver {
  // Only the theme's classes: the panel's own (`drawn`) must not draw everything again.
  const theme = (): string => Array.from(document.body.classList).filter((c) => c.startsWith('vscode-')).join(' ');
  let last = theme();
  const observer = new MutationObserver(() => {
    if (theme() === last) return;
    last = theme();
    onChange();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return observer;
}
