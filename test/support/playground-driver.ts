/**
 * Drives the GraphiQL playground (playground/playground.ts) in headless Chromium, the way a person
 * would: open `${baseUrl}/graphql`, put a document in the query editor, press the run button, read
 * the response pane. Used by tests that check the page really works under its CSP, offline.
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`); tests should skip
 * when `chromiumAvailable()` is false rather than fail.
 */
import { existsSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The network is closed here: without the background-networking flags Chromium keeps trying to
 * reach Google services (component updates, sync, QUIC probes) and the run gets slow and noisy.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export interface PlaygroundSteps {
  /** GraphQL documents, run in order in one browser session (cookies carry over). One operation each. */
  operations: readonly string[];
  /** Text for GraphiQL's Headers editor (JSON), set before the first operation, e.g. '{"Authorization":"Bearer …"}'. */
  headers?: string;
  /** Where the page is; default '/graphql'. */
  path?: string;
  /** Per wait (page load, each response); default 15000 ms. */
  timeoutMs?: number;
  /** Save a full-page screenshot here after the last operation. */
  screenshotPath?: string;
}

export interface PlaygroundRun {
  /** The response pane's text after each operation, in order (JSON text as GraphiQL shows it). */
  results: string[];
  /**
   * Console errors and warnings, page errors, failed and >= 400 requests (CSP violations land here).
   * Apollo answers 400 to operations that fail validation, so such steps add entries too.
   */
  problems: string[];
  /** document.title of the page. */
  title: string;
}

// Selectors of GraphiQL 3 (graphiql@3.8). Its editors are CodeMirror 5, whose wrapper element
// (.CodeMirror) carries the editor instance as a `CodeMirror` property.
const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
// The variables and headers editors share one section; the inactive one has the class "hidden",
// and the section's aria-label names the active one.
const HEADER_EDITOR = 'section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden) .CodeMirror';
const RESPONSE_EDITOR = '.graphiql-response .CodeMirror';
const EXECUTE_BUTTON = 'button.graphiql-execute-button';
const HEADERS_TAB = 'button[data-name="headers"]';

/**
 * Opens the playground and runs each document through the UI; returns what the response pane
 * showed. Throws when an operation does not produce a response within the timeout.
 */
export async function runInPlayground(baseUrl: string, steps: PlaygroundSteps): Promise<PlaygroundRun> {
  for (const op of steps.operations) assertSingleOperation(op);
  const timeout = steps.timeoutMs ?? 15_000;
  const url = new URL(steps.path ?? '/graphql', baseUrl).toString();

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], timeout });
  try {
    // A fresh context: no cookies, and no GraphiQL tabs left in localStorage by an earlier run.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(timeout);
    const problems = collectProblems(page);

    // GraphiQL serves the HTML only to browsers: page.goto sends Accept: text/html like one.
    const response = await page.goto(url, { waitUntil: 'load' });
    if (response === null || !response.ok()) {
      throw new Error(`GET ${url} answered ${response === null ? 'nothing' : response.status()}`);
    }
    // A bare timeout says little: the console usually tells why (CSP, failed request, 4xx/5xx).
    const explain = (what: string) => (err: unknown): never => {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`${what} (${why}); problems seen: ${JSON.stringify(problems)}`);
    };
    await page.locator(QUERY_EDITOR).waitFor({ state: 'visible' }).catch(explain('GraphiQL did not render'));

    if (steps.headers !== undefined) {
      // Open the Headers tab as a user would: HEADER_EDITOR matches only the active tool's editor.
      await page.locator(HEADERS_TAB).click();
      await page.locator(HEADER_EDITOR).waitFor({ state: 'visible' });
      await setEditorValue(page, HEADER_EDITOR, steps.headers);
    }

    const results: string[] = [];
    for (const [index, op] of steps.operations.entries()) {
      await setEditorValue(page, QUERY_EDITOR, op);
      await waitUntilGraphiqlParsed(page, op, timeout);
      // Clear the pane first, so that "updated" can be told apart from "same result as last time".
      await setEditorValue(page, RESPONSE_EDITOR, '');
      await page.locator(EXECUTE_BUTTON).click();
      await waitForResponse(page, timeout).catch(explain(`operation #${index} got no response in the playground`));
      results.push(await getEditorValue(page, RESPONSE_EDITOR));
    }

    if (steps.screenshotPath !== undefined) await page.screenshot({ path: steps.screenshotPath, fullPage: true });
    return { results, problems, title: await page.title() };
  } finally {
    await browser.close();
  }
}

/**
 * A document with several operations turns GraphiQL's run button into a menu; keep each step
 * to one operation so a click runs exactly that one.
 */
function assertSingleOperation(document: string): void {
  const count = parse(document).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  if (count !== 1) throw new Error(`runInPlayground: each document must hold exactly one operation, got ${count}`);
}

/**
 * Sets an editor's text through the CodeMirror API rather than by typing: typing triggers
 * GraphiQL's auto-closing brackets and autocomplete popups, which would change the text.
 * GraphiQL listens to CodeMirror's change event, so its own state (query, headers) follows.
 */
async function setEditorValue(page: Page, selector: string, value: string): Promise<void> {
  await page.evaluate(
    ([sel, text]) => {
      const el = document.querySelector(sel);
      const cm: unknown = el === null ? undefined : Reflect.get(el, 'CodeMirror');
      if (typeof cm !== 'object' || cm === null) throw new Error(`no CodeMirror editor at ${sel}`);
      const setValue: unknown = Reflect.get(cm, 'setValue');
      if (typeof setValue !== 'function') throw new Error(`editor at ${sel} has no setValue`);
      setValue.call(cm, text);
    },
    [selector, value] as const,
  );
}

/** Waits until the response pane (cleared before the run) has text and the request spinner is gone. */
async function waitForResponse(page: Page, timeout: number): Promise<void> {
  await page.waitForFunction(
    ([sel]) => {
      const el = document.querySelector(sel);
      const cm: unknown = el === null ? undefined : Reflect.get(el, 'CodeMirror');
      if (typeof cm !== 'object' || cm === null) return false;
      const getValue: unknown = Reflect.get(cm, 'getValue');
      if (typeof getValue !== 'function') return false;
      const text: unknown = getValue.call(cm);
      // GraphiQL shows a spinner in the response section while the request is in flight.
      return typeof text === 'string' && text.trim() !== '' && document.querySelector('.graphiql-response .graphiql-spinner') === null;
    },
    [RESPONSE_EDITOR] as const,
    { timeout },
  );
}

/**
 * GraphiQL reads the operations of the query editor in a change handler debounced by 100 ms. Until
 * it has run, the run button still reflects the previous document (a menu if that one had several
 * operations, and a stale operation name), so a click right after setValue is lost or runs the
 * wrong operation. GraphiQL stores the parsed document on the editor instance (`documentAST`); wait
 * until that is the new text and the run button is a plain button again.
 */
async function waitUntilGraphiqlParsed(page: Page, text: string, timeout: number): Promise<void> {
  await page.waitForFunction(
    ([sel, button, expected]) => {
      const el = document.querySelector(sel);
      const cm: unknown = el === null ? undefined : Reflect.get(el, 'CodeMirror');
      if (typeof cm !== 'object' || cm === null) return false;
      const ast: unknown = Reflect.get(cm, 'documentAST');
      const loc: unknown = typeof ast === 'object' && ast !== null ? Reflect.get(ast, 'loc') : undefined;
      const source: unknown = typeof loc === 'object' && loc !== null ? Reflect.get(loc, 'source') : undefined;
      const body: unknown = typeof source === 'object' && source !== null ? Reflect.get(source, 'body') : undefined;
      const runButton = document.querySelector(button);
      return body === expected && runButton !== null && !runButton.hasAttribute('aria-haspopup');
    },
    [QUERY_EDITOR, EXECUTE_BUTTON, text] as const,
    { timeout },
  );
}

async function getEditorValue(page: Page, selector: string): Promise<string> {
  return page.evaluate(
    ([sel]) => {
      const el = document.querySelector(sel);
      const cm: unknown = el === null ? undefined : Reflect.get(el, 'CodeMirror');
      if (typeof cm !== 'object' || cm === null) throw new Error(`no CodeMirror editor at ${sel}`);
      const getValue: unknown = Reflect.get(cm, 'getValue');
      if (typeof getValue !== 'function') throw new Error(`editor at ${sel} has no getValue`);
      const text: unknown = getValue.call(cm);
      if (typeof text !== 'string') throw new Error(`editor at ${sel} returned a non-string`);
      return text;
    },
    [selector] as const,
  );
}

function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err: Error) => problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
  });
  return problems;
}
