/**
 * Text bound for a terminal, with the control characters a user's file could smuggle in made
 * visible. A space file's `name` or `dataset.path`, or an error message quoting them, could
 * otherwise clear the screen or retitle the window (ESC sequences, C1 controls such as CSI).
 * Line feeds, carriage returns and tabs stay: they are the tool's own layout.
 *
 * Each one becomes its JSON escape (`\u001b`), so a JSON document stays valid and says the same.
 */

// C0 controls but tab, line feed and carriage return; DEL; C1 controls.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

export function escapeControlChars(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
