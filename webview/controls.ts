/**
 * The view controls, from @vscode-elements/elements: a checkbox for normalized EDFs and single
 * selects for the property and the model. Importing this module defines the custom elements.
 */
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { el } from './dom';

/** The part of `<vscode-single-select>` the views use. */
export interface SingleSelect extends HTMLElement {
  value: string;
}

/** The part of `<vscode-checkbox>` the views use. */
export interface Checkbox extends HTMLElement {
  checked: boolean;
  disabled: boolean;
  label: string;
}

/**
 * Replaces the options of a select with `options` ([value, label]) unless they are the same
 * already (re-creating them would close an open dropdown), and selects `value`.
 */
export function setOptions(select: SingleSelect, options: [string, string][], value: string | null): void {
  const current = Array.from(select.querySelectorAll('vscode-option')).map((o) => [o.getAttribute('value') ?? '', o.textContent ?? '']);
  if (JSON.stringify(current) !== JSON.stringify(options)) {
    select.replaceChildren(...options.map(([v, label]) => el('vscode-option' as 'option', { value: v }, label)));
  }
  if (value !== null && select.value !== value) select.value = value;
}
