import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

/** A message ready for the transport: the subject, a plain-text part always, an HTML part when the template has one. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string | null;
}

/**
 * Templates are files of the repository (docs/EMAIL.md): `notifications/` for the messages the domain
 * writes to the outbox (their name is the outbox row's `template`), `messages/` for the ones partners and
 * back-office may name on POST /v1/emailing/messages. Keeping the two apart means a caller of the route
 * cannot send a look-alike of our OTP or signature mails from our address.
 */
export type TemplateSet = 'notifications' | 'messages';

interface Template {
  subject: HandlebarsTemplateDelegate | null;
  text: HandlebarsTemplateDelegate;
  html: HandlebarsTemplateDelegate | null;
}

/** Why a message could not be rendered: the template is unknown, or the variables do not fill it. */
export class TemplateError extends Error {
  constructor(
    readonly kind: 'unknown_template' | 'rendering_failed',
    message: string,
  ) {
    super(message);
  }
}

const SUBJECT_LINE = /^Subject: (.*)\r?\n\r?\n/;

function templatesDir(): string {
  const here = join(__dirname, 'templates');
  // Compiled code (dist/) runs beside no template: they stay in the source tree.
  return existsSync(here) ? here : join(__dirname, '..', '..', '..', 'domain', 'emailing', 'templates');
}

// One formatter for every message: building one (as toLocaleDateString does at each call) costs more
// than rendering the rest of a notification.
const FRENCH_DATE = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' });

/**
 * Handlebars, strict: a variable the template names and the caller did not give is an error rather than
 * an empty hole in a sentence. Variables are HTML-escaped in the HTML part and the subject and text go
 * out unescaped (they are plain text, and nodemailer encodes the headers).
 */
export class MailTemplates {
  private readonly sets = new Map<TemplateSet, Map<string, Template>>();
  private readonly engine = Handlebars.create();

  constructor(dir: string = templatesDir()) {
    // Dates as a French reader expects them, in Paris time.
    this.engine.registerHelper('date', (value: unknown) => {
      const at = new Date(String(value));
      return Number.isNaN(at.getTime()) ? String(value) : FRENCH_DATE.format(at);
    });
    this.engine.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    for (const set of ['notifications', 'messages'] as const) this.sets.set(set, this.load(join(dir, set), set === 'notifications'));
  }

  names(set: TemplateSet): string[] {
    return [...this.sets.get(set)!.keys()].sort();
  }

  has(set: TemplateSet, name: string): boolean {
    return this.sets.get(set)!.has(name);
  }

  /** The message of template `name` filled with `variables`; `subject` replaces the template's own. */
  render(set: TemplateSet, name: string, variables: Record<string, unknown>, subject?: string): RenderedMail {
    const template = this.sets.get(set)!.get(name);
    if (!template) throw new TemplateError('unknown_template', `no template ${name}`);
    try {
      const text = template.text(variables);
      const html = template.html ? template.html(variables) : null;
      const title = subject ?? (template.subject ? template.subject(variables).trim() : undefined);
      if (title === undefined) throw new TemplateError('rendering_failed', `template ${name} has no subject and none was given`);
      return { subject: title, text, html };
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      // Handlebars' message names the missing variable, never its value.
      throw new TemplateError('rendering_failed', `template ${name}: ${(error as Error).message}`);
    }
  }

  private load(dir: string, subjectRequired: boolean): Map<string, Template> {
    const templates = new Map<string, Template>();
    const compile = (source: string, escape: boolean) => this.engine.compile(source, { strict: true, noEscape: !escape });
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt.hbs')).sort()) {
      const name = file.slice(0, -'.txt.hbs'.length);
      const source = readFileSync(join(dir, file), 'utf8');
      const subject = SUBJECT_LINE.exec(source);
      if (subjectRequired && !subject) throw new Error(`mail template ${file} must start with a "Subject: " line and a blank line`);
      const htmlFile = join(dir, `${name}.html.hbs`);
      templates.set(name, {
        subject: subject ? compile(subject[1], false) : null,
        text: compile(subject ? source.slice(subject[0].length) : source, false),
        html: existsSync(htmlFile) ? compile(readFileSync(htmlFile, 'utf8'), true) : null,
      });
    }
    return templates;
  }
}
