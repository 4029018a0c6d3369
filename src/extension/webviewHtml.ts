/**
 * The report page made fit for a webview: a strict Content-Security-Policy (nothing from the
 * network, no eval; only the page's own inline script and style, marked with a per-load nonce).
 */
import { randomBytes } from 'node:crypto';

/** A fresh nonce: 128 random bits, base64 without padding. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64').replace(/=+$/, '');
}

/** The policy: `cspSource` is the webview's own origin (for local images), nothing else loads. */
export function contentSecurityPolicy(nonce: string, cspSource: string): string {
  return `default-src 'none'; img-src ${cspSource} data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; font-src ${cspSource};`;
}

/**
 * Adds the policy as the first element of <head> and the nonce to every <script> and <style>
 * element of a page (data blocks included, which the browser does not run anyway).
 */
export function withContentSecurityPolicy(html: string, nonce: string, cspSource: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(nonce, cspSource)}">`;
  const marked = html.replace(/<(script|style)(?=[\s>])/gi, `<$1 nonce="${nonce}"`);
  if (!/<head>/i.test(marked)) return `${meta}\n${marked}`;
  return marked.replace(/<head>/i, (head) => `${head}\n${meta}`);
}
