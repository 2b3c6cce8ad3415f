import { AppError } from './app-error';
import { CATALOG, docUrl, isErrorCode, type CatalogEntry, type ErrorCode } from './catalog';
import { renderEnvelope } from './envelope';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// Backticks in catalog text mark code, as in the spec page.
const inline = (text: string) => escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2433}
code,pre{font-family:ui-monospace,monospace;background:#f3f4f6;border-radius:4px}code{padding:0 .2em}pre{padding:1rem;overflow:auto}
h1 code{font-size:1.6rem}a{color:#1a56db}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** `/docs/errors/<code>`: description, status, doc_url format, causes, example, fixes. */
export function errorPage(code: ErrorCode, docsBaseUrl: string): string {
  const entry: CatalogEntry = CATALOG[code];
  // The example is rendered like a real error, so the page always shows the envelope clients get.
  const sample = new AppError(code, entry.exampleReason, { field: entry.exampleField, requestId: code === 'internal_server_error' ? 'req_Xy3kQ9aB-1a2b' : undefined });
  const example = JSON.stringify(renderEnvelope(sample, docsBaseUrl).body, null, 2);
  return page(
    `${code}: ${entry.title}`,
    `<p><a href="${escape(docsBaseUrl)}">All errors</a></p>
<h1><code>${code}</code></h1>
<h2>Description</h2><p>${inline(entry.description)}</p>
<h2>HTTP Status</h2><p>${entry.status} ${escape(entry.title)}</p>
<h2>doc_url Format</h2><p>Every error names this page in <code>doc_url</code>, an absolute URL whose base is the deployment's (<code>DOCS_BASE_URL</code>):</p><pre>&lt;docs-base-url&gt;/errors/${code}</pre>
<h2>Typical Causes</h2><ul>${entry.causes.map((c) => `<li>${inline(c)}</li>`).join('')}</ul>
<h2>Example</h2><p>Response:</p><pre>${escape(example)}</pre>
<h2>How To Fix</h2><ul>${entry.fixes.map((f) => `<li>${inline(f)}</li>`).join('')}</ul>`,
  );
}

/** `/docs`: every code with its status, linking to its page. */
export function errorIndexPage(docsBaseUrl: string): string {
  const rows = (Object.keys(CATALOG) as ErrorCode[])
    .map((code) => `<tr><td><a href="${escape(docUrl(docsBaseUrl, code))}"><code>${code}</code></a></td><td>${CATALOG[code].status}</td><td>${inline(CATALOG[code].description)}</td></tr>`)
    .join('');
  return page(
    'insurance-gateway errors',
    `<h1>Errors</h1><p>Every error, REST or GraphQL, carries one of these codes, a <code>message</code> and a <code>doc_url</code>.
The message is a sentence for people that names the parameter or the rule; programs should switch on <code>code</code> and on the
stable <code>reason</code> beside it (with the parameter in <code>field</code>). Exceptions: a 401's message, and a 403's
<code>INSUFFICIENT_ROLES</code>, are themselves the stable reason.</p>
<p>REST: <code>{"errors":[{"code","message","doc_url","reason","field"}]}</code>, one entry per offending parameter.
GraphQL: <code>message</code>, with <code>code</code>, <code>doc_url</code>, <code>reason</code>, <code>field</code> and <code>details</code> in <code>extensions</code>.</p>
<table><thead><tr><th>code</th><th>status</th><th>meaning</th></tr></thead><tbody>${rows}</tbody></table>
<p>The REST API is described in <a href="/v1/openapi.json">/v1/openapi.json</a>.</p>`,
  );
}

export { isErrorCode };
