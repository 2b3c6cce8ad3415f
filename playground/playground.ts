/**
 * Self-hosted GraphiQL playground.
 *
 * The gateway runs where there is no internet access, and the page must also hold under a strict
 * Content-Security-Policy, so nothing comes from a CDN: React, ReactDOM and GraphiQL are read from
 * our own node_modules (their UMD builds) once at start-up and served from `assetBase`. The page
 * has no inline script and no inline style of its own; its bootstrap code is the generated asset
 * `playground.js`, which is why `PLAYGROUND_CSP` can say `script-src 'self'` (see PLAYGROUND_CSP for
 * the few inline styles GraphiQL itself inserts).
 *
 * Serving (done by the HTTP layer, not here):
 *   - GET `graphqlPath` whose Accept includes text/html -> `page`, `Content-Type: text/html; charset=utf-8`,
 *     `Content-Security-Policy: PLAYGROUND_CSP`;
 *   - GET `${assetBase}/${name}` -> `assets.get(name)`, with its content type and ETag.
 * The GraphiQL fetcher posts JSON to `graphqlPath` on the same origin and sends cookies
 * (credentials: 'same-origin'), so the session cookie set by the `login` mutation is used by the
 * next operations; an `Authorization` header can also be typed in GraphiQL's Headers editor.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface StaticAsset {
  contentType: string;
  body: Buffer;
  etag: string;
}

export interface PlaygroundOptions {
  /** Path of the GraphQL endpoint on this origin, e.g. '/graphql'. */
  graphqlPath: string;
  /** Path under which `assets` are served, e.g. '/playground/assets' (no trailing slash needed). */
  assetBase: string;
}

export interface Playground {
  /** The HTML page (UTF-8). Send it with `Content-Security-Policy: PLAYGROUND_CSP`. */
  page: Buffer;
  /** Key: the asset file name as served under assetBase, e.g. 'graphiql.min.js'. */
  assets: Map<string, StaticAsset>;
}

/** A CSP hash source for an exact inline text (style element content or style attribute value). */
function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * CSP for the page. Scripts: only our own files; no inline script, no eval. Why each other source exists:
 *  - style-src hash: when a menu or dialog opens (e.g. the run button's operation menu, Settings),
 *    GraphiQL's Radix components lock page scrolling by inserting one <style> element
 *    (react-remove-scroll-bar). Its text only varies with the scrollbar gap, which is always 0 on this
 *    page (it never scrolls: see PAGE_CSS), so one hash allows it without 'unsafe-inline'. If a
 *    GraphiQL upgrade changes that text, Chromium logs a style-src violation naming the new hash when
 *    a menu opens; the menu still works, only the scroll lock is lost.
 *  - style-src-attr: CodeMirror's jump-to-line dialog (Alt-G) is built with innerHTML holding these two
 *    style attributes; without them it works but logs CSP errors. 'unsafe-hashes' only allows
 *    attributes whose exact text is hashed here, and style attributes are no script vector.
 *  - img-src / font-src data:: graphiql.min.css embeds its fonts and a few images as data: URLs (and
 *    the page's empty favicon is data:, which stops the browser requesting /favicon.ico).
 *  - connect-src 'self': the fetcher only talks to the same-origin GraphQL endpoint.
 * Everything else is closed ('none'), so any unexpected load shows up as a CSP violation in tests.
 */
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='",
  `style-src-attr 'unsafe-hashes' ${cspHash('width: 10em')} ${cspHash('color: #888')}`,
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_TITLE = 'insurance-gateway GraphQL playground';

const DEFAULT_QUERY = `# insurance-gateway GraphQL playground
#
# 1. Log in as a demo user (listed in the README): press
#    the run button and pick "Login", or put the cursor
#    in it and press Ctrl-Enter. Login sets a session
#    cookie that this page sends with later operations.
# 2. Then run "Me" the same way.
#
# Or send a bearer token instead: open "Headers" below
# and enter
#   { "Authorization": "Bearer <accessToken>" }

mutation Login {
  login(email: "alice@demo.test", password: "demo-password-2026") {
    accessToken
    expiresIn
  }
}

query Me {
  me {
    id
    kind
    email
  }
}
`;

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The files we take from node_modules: served name -> package and path inside that package. */
const VENDOR_FILES: ReadonlyArray<{ name: string; pkg: string; file: string; contentType: string }> = [
  { name: 'react.production.min.js', pkg: 'react', file: 'umd/react.production.min.js', contentType: JS },
  { name: 'react-dom.production.min.js', pkg: 'react-dom', file: 'umd/react-dom.production.min.js', contentType: JS },
  { name: 'graphiql.min.js', pkg: 'graphiql', file: 'graphiql.min.js', contentType: JS },
  { name: 'graphiql.min.css', pkg: 'graphiql', file: 'graphiql.min.css', contentType: CSS },
];

/** Builds the playground once at start-up: the HTML page and its assets, read from our own node_modules. */
export function loadPlayground(options: PlaygroundOptions): Playground {
  const graphqlPath = requireAbsolutePath('graphqlPath', options.graphqlPath);
  const assetBase = requireAbsolutePath('assetBase', options.assetBase).replace(/\/+$/, '');

  const assets = new Map<string, StaticAsset>();
  for (const vendor of VENDOR_FILES) {
    assets.set(vendor.name, makeAsset(vendor.contentType, readFileSync(resolvePackageFile(vendor.pkg, vendor.file))));
  }
  assets.set('playground.css', makeAsset(CSS, Buffer.from(PAGE_CSS, 'utf8')));
  assets.set('playground.js', makeAsset(JS, Buffer.from(bootstrapScript(graphqlPath), 'utf8')));

  const href = (name: string): string => escapeHtml(`${assetBase}/${name}`);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(PAGE_TITLE)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${href('graphiql.min.css')}">
<link rel="stylesheet" href="${href('playground.css')}">
</head>
<body>
<div id="graphiql">Loading the GraphQL playground&hellip;</div>
<noscript>The GraphQL playground needs JavaScript.</noscript>
<script src="${href('react.production.min.js')}"></script>
<script src="${href('react-dom.production.min.js')}"></script>
<script src="${href('graphiql.min.js')}"></script>
<script src="${href('playground.js')}"></script>
</body>
</html>
`;
  return { page: Buffer.from(html, 'utf8'), assets };
}

// GraphiQL fills its container; the container has to be given the full viewport height itself.
const PAGE_CSS = `html, body { height: 100%; margin: 0; }
#graphiql { height: 100vh; }
`;

/**
 * The page's only own script, served as an asset so that no inline script (and no script hash or
 * 'unsafe-inline') is needed. The configuration is embedded with JSON.stringify, which is safe in a
 * standalone .js file (there is no HTML parser around it to break out of).
 */
function bootstrapScript(graphqlPath: string): string {
  const config = JSON.stringify({ graphqlPath, defaultQuery: DEFAULT_QUERY });
  return `'use strict';
(function () {
  var config = ${config};
  var fetcher = GraphiQL.createFetcher({
    url: config.graphqlPath,
    // Browsers default to 'same-origin' already; it is spelled out because the session cookie from
    // the login mutation must reach the later operations.
    fetch: function (input, init) {
      return window.fetch(input, Object.assign({}, init, { credentials: 'same-origin' }));
    }
  });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: config.defaultQuery,
    isHeadersEditorEnabled: true,
    // Headers may hold a bearer token: keep them out of localStorage.
    shouldPersistHeaders: false
  }));
})();
`;
}

/**
 * Resolves a file inside an installed package. `require.resolve('pkg/file')` is tried first, but
 * react and react-dom have an "exports" map that does not list their umd/ files
 * (ERR_PACKAGE_PATH_NOT_EXPORTED), so we then go through the package's package.json, which they do
 * export. Any failure falls back, not only that error code: Jest's require.resolve reports the
 * same refusal as a plain "Cannot find module" error.
 */
function resolvePackageFile(pkg: string, file: string): string {
  try {
    return require.resolve(`${pkg}/${file}`);
  } catch (direct) {
    const candidate = join(dirname(require.resolve(`${pkg}/package.json`)), file);
    if (!existsSync(candidate)) {
      throw new Error(`loadPlayground: ${pkg}/${file} not found (is ${pkg} installed with its UMD build?)`, { cause: direct });
    }
    return candidate;
  }
}

function makeAsset(contentType: string, body: Buffer): StaticAsset {
  // Strong ETag from the content, so clients can revalidate with If-None-Match across restarts.
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  return { contentType, body, etag };
}

function requireAbsolutePath(name: string, value: string): string {
  // Same-origin paths only: connect-src 'self' in the CSP would block another origin anyway.
  if (!value.startsWith('/') || value.startsWith('//')) {
    throw new Error(`loadPlayground: ${name} must be a path on this origin starting with '/', got ${JSON.stringify(value)}`);
  }
  return value;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
