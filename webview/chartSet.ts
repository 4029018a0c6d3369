/** The charts of a page by id, updated in place when their data changes. */
import { Chart, type ChartConfiguration, type ChartType } from 'chart.js';

export class ChartSet {
  /** Every drawn chart by id (tests read it through `window.dslabReport.charts`). */
  readonly charts = new Map<string, Chart>();

  /**
   * Draws chart `id` on `canvas`: a chart already on that canvas with the same type takes the
   * new data and options and redraws without animation (no flicker, no new canvas context);
   * otherwise the old one lets go of its canvas and a new chart is made.
   */
  put<T extends ChartType>(id: string, canvas: HTMLCanvasElement, config: ChartConfiguration<T>): void {
    const old = this.charts.get(id);
    if (old && old.canvas === canvas && (old.config as { type?: string }).type === config.type) {
      old.data = config.data as Chart['data'];
      old.options = config.options as Chart['options'];
      old.update('none');
      return;
    }
    this.remove(id);
    this.charts.set(id, new Chart(canvas, config as ChartConfiguration));
  }

  /** Destroys the chart `id`, if any. */
  remove(id: string): void {
    this.charts.get(id)?.destroy();
    this.charts.delete(id);
  }

  /** Ids of the charts whose id starts with `prefix`. */
  idsWith(prefix: string): string[] {
    return Array.from(this.charts.keys()).filter((id) => id.startsWith(prefix));
  }
}
