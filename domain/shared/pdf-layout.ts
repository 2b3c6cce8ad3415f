import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';

/** A4 portrait in PDF points (1/72 inch). */
export const A4_SIZE: [number, number] = [595.28, 841.89];

const MARGIN = { top: 78, bottom: 64, left: 56, right: 56 };
const PAGE_BODY_HEIGHT = A4_SIZE[1] - MARGIN.top - MARGIN.bottom;
const LEADING = 1.35;
const BODY_SIZE = 9.5;
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.38, 0.4, 0.45);
const ACCENT = rgb(0.09, 0.23, 0.45);
const RULE = rgb(0.78, 0.8, 0.84);
const SHADE = rgb(0.93, 0.94, 0.96);

// Characters that standard fonts cannot encode but that have an obvious WinAnsi stand-in.
const SUBSTITUTES: Readonly<Record<string, string>> = {
  '\u202f': '\u00a0', '\u2007': '\u00a0', '\u2009': ' ', '\u200a': ' ', '\u2002': ' ', '\u2003': ' ', '\t': ' ',
  '\u2010': '-', '\u2011': '-', '\u2212': '-', '\u2032': "'", '\u2033': '"',
};

export type FontName = 'regular' | 'bold' | 'italic';

export interface TextStyle {
  font?: FontName;
  size?: number;
  color?: RGB;
  indent?: number;
  /** Move the whole paragraph to the next page rather than split it, when it fits on one page. */
  keepTogether?: boolean;
}

export interface TableColumn {
  header: string;
  /** Share of the content width; the shares of a table add up to 1. */
  share: number;
  align?: 'left' | 'right';
}

/** What every page repeats: header left/right and a footer line, plus "Page n / N". */
export interface PageChrome {
  headerLeft: string;
  headerRight: string;
  footer: string;
}

/** Rewrites text so that every character can be drawn with a WinAnsi standard font. */
export function toEncodable(text: string, charset: ReadonlySet<number>): string {
  let out = '';
  for (const char of text.normalize('NFC')) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\n' || charset.has(code)) out += char;
    else if (SUBSTITUTES[char] !== undefined) out += SUBSTITUTES[char];
    else if (code < 0x20 || (code >= 0x200b && code <= 0x200f) || code === 0xfeff) continue;
    else out += fallback(char, charset);
  }
  return out;
}

// Accented letters outside WinAnsi (ă, ș, ő...) keep their base letter rather than becoming '?'.
function fallback(char: string, charset: ReadonlySet<number>): string {
  const base = [...char.normalize('NFD')].filter((c) => charset.has(c.codePointAt(0) ?? 0)).join('');
  return base === '' ? '?' : base;
}

/** Greedy word wrap; explicit newlines start new lines and over-long words are cut. */
export function wrapText(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const fits = (s: string): boolean => font.widthOfTextAtSize(s, size) <= maxWidth;
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let current = '';
    // Only plain spaces break: a no-break space keeps "1 250,00 €" on one line.
    for (const word of paragraph.split(/ +/).filter((w) => w !== '')) {
      const candidate = current === '' ? word : `${current} ${word}`;
      if (fits(candidate)) {
        current = candidate;
        continue;
      }
      if (current !== '') lines.push(current);
      current = word;
      while (!fits(current)) {
        const cut = longestFittingPrefix(current, fits);
        lines.push(current.slice(0, cut));
        current = current.slice(cut);
      }
    }
    lines.push(current);
  }
  return lines;
}

function longestFittingPrefix(word: string, fits: (s: string) => boolean): number {
  let cut = 1;
  while (cut < word.length && fits(word.slice(0, cut + 1))) cut += 1;
  return cut;
}

/** Flows text, field lists, tables and boxes down A4 pages, opening new pages as needed. */
export class FlowLayout {
  private readonly pages: PDFPage[] = [];
  private page: PDFPage | null = null;
  private y = 0;

  private constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: Record<FontName, PDFFont>,
    private readonly charset: ReadonlySet<number>,
    private readonly chrome: PageChrome,
  ) {}

  /** Embeds the standard Helvetica family into `doc` and returns a layout writing into it. */
  static async create(doc: PDFDocument, chrome: PageChrome): Promise<FlowLayout> {
    const fonts: Record<FontName, PDFFont> = {
      regular: await doc.embedFont(StandardFonts.Helvetica),
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
      italic: await doc.embedFont(StandardFonts.HelveticaOblique),
    };
    return new FlowLayout(doc, fonts, new Set(fonts.regular.getCharacterSet()), chrome);
  }

  /** Width available between the left and right margins. */
  get width(): number {
    return A4_SIZE[0] - MARGIN.left - MARGIN.right;
  }

  /** The document title block. */
  title(text: string, subtitle: string[]): void {
    this.paragraph(text, { font: 'bold', size: 18, color: ACCENT });
    this.gap(2);
    for (const line of subtitle) this.paragraph(line, { size: 10, color: MUTED });
    this.gap(8);
  }

  /** A section heading, kept on the same page as the next `keepWithNext` points of content (three lines by default). */
  heading(text: string, keepWithNext = 3 * BODY_SIZE * LEADING): void {
    this.gap(8);
    const own = 12 * LEADING + 9;
    this.ensure(own + Math.min(keepWithNext, PAGE_BODY_HEIGHT - own));
    this.paragraph(text, { font: 'bold', size: 12, color: ACCENT });
    this.rule(RULE);
    this.gap(4);
  }

  /** The height `paragraph` would take for `text`, to keep a heading with all of it. */
  paragraphHeight(text: string, style: TextStyle = {}): number {
    const size = style.size ?? BODY_SIZE;
    return this.wrap(text, style.font ?? 'regular', size, this.width - (style.indent ?? 0)).length * size * LEADING;
  }

  /** Wrapped text; each line moves to a new page when the current one is full. */
  paragraph(text: string, style: TextStyle = {}): void {
    const font = style.font ?? 'regular';
    const size = style.size ?? BODY_SIZE;
    const indent = style.indent ?? 0;
    const lines = this.wrap(text, font, size, this.width - indent);
    // Never leave a paragraph's first line or two alone at the foot of a page.
    const together = style.keepTogether && lines.length * size * LEADING <= PAGE_BODY_HEIGHT ? lines.length : 3;
    this.ensure(Math.min(lines.length, together) * size * LEADING);
    for (const line of lines) {
      this.ensure(size * LEADING);
      this.current().drawText(line, { x: MARGIN.left + indent, y: this.y - size, size, font: this.fonts[font], color: style.color ?? INK });
      this.y -= size * LEADING;
    }
    this.gap(3);
  }

  /** Label/value rows, values wrapped in the right-hand column. */
  fields(rows: ReadonlyArray<readonly [string, string]>): void {
    const labelWidth = 150;
    for (const [label, value] of rows) {
      const labels = this.wrap(label, 'regular', BODY_SIZE, labelWidth - 8);
      const values = this.wrap(value, 'bold', BODY_SIZE, this.width - labelWidth);
      const height = Math.max(labels.length, values.length) * BODY_SIZE * LEADING + 4;
      this.ensure(height);
      labels.forEach((text, i) => this.drawAt(text, MARGIN.left, i, 'regular', MUTED));
      values.forEach((text, i) => this.drawAt(text, MARGIN.left + labelWidth, i, 'bold', INK));
      this.y -= height;
      this.rule(SHADE);
    }
    this.gap(4);
  }

  /** A table with a shaded header row repeated on every page it spans; `emphasizeLast` bolds a total row. */
  table(columns: readonly TableColumn[], rows: ReadonlyArray<readonly string[]>, emphasizeLast = false): void {
    const widths = columns.map((c) => c.share * this.width);
    const header = columns.map((c) => c.header);
    this.tableRow(columns, widths, header, 'bold', true);
    rows.forEach((row, index) => {
      const font = emphasizeLast && index === rows.length - 1 ? 'bold' : 'regular';
      const height = this.rowHeight(widths, row, font);
      if (this.y - height < MARGIN.bottom) {
        this.newPage();
        this.tableRow(columns, widths, header, 'bold', true);
      }
      this.tableRow(columns, widths, row, font, false);
    });
    this.gap(8);
  }

  /** Framed text, for notices that must stand out; falls back to plain text if it cannot fit on one page. */
  notice(title: string, text: string): void {
    const pad = 8;
    const lines = this.wrap(text, 'regular', BODY_SIZE, this.width - 2 * pad);
    const height = (lines.length + 1) * BODY_SIZE * LEADING + 2 * pad + 4;
    if (height > PAGE_BODY_HEIGHT) {
      this.heading(title);
      this.paragraph(text);
      return;
    }
    this.gap(6);
    this.ensure(height);
    const page = this.current();
    page.drawRectangle({ x: MARGIN.left, y: this.y - height, width: this.width, height, color: SHADE, borderColor: ACCENT, borderWidth: 0.8 });
    this.y -= pad;
    this.drawAt(title, MARGIN.left + pad, 0, 'bold', ACCENT);
    lines.forEach((line, i) => this.drawAt(line, MARGIN.left + pad, i + 1, 'regular', INK, 4));
    this.y -= height - pad;
    this.gap(6);
  }

  /** An empty framed box with a caption above it, for a handwritten or electronic signature. */
  signatureBox(caption: string, height = 70): void {
    const lines = this.wrap(caption, 'regular', BODY_SIZE, this.width);
    this.ensure(lines.length * BODY_SIZE * LEADING + height + 6);
    this.paragraph(caption);
    const page = this.current();
    page.drawRectangle({ x: MARGIN.left, y: this.y - height, width: this.width, height, borderColor: MUTED, borderWidth: 0.8 });
    this.y -= height + 10;
  }

  /** Vertical space, in points. */
  gap(points: number): void {
    this.y -= points;
  }

  /** Draws headers and "Page n / N" footers; call once, after all content. */
  finish(): void {
    const [pageWidth, pageHeight] = A4_SIZE;
    const small = 8;
    this.pages.forEach((page, index) => {
      const text = (s: string, x: number, y: number, font: FontName, color: RGB): void =>
        page.drawText(this.encode(s), { x, y, size: small, font: this.fonts[font], color });
      const rightX = (s: string, font: FontName): number => pageWidth - MARGIN.right - this.fonts[font].widthOfTextAtSize(this.encode(s), small);
      text(this.chrome.headerLeft, MARGIN.left, pageHeight - 44, 'bold', ACCENT);
      text(this.chrome.headerRight, rightX(this.chrome.headerRight, 'regular'), pageHeight - 44, 'regular', MUTED);
      page.drawLine({ start: { x: MARGIN.left, y: pageHeight - 50 }, end: { x: pageWidth - MARGIN.right, y: pageHeight - 50 }, thickness: 0.6, color: RULE });
      const pageLabel = `Page ${index + 1} / ${this.pages.length}`;
      page.drawLine({ start: { x: MARGIN.left, y: 46 }, end: { x: pageWidth - MARGIN.right, y: 46 }, thickness: 0.6, color: RULE });
      text(this.chrome.footer, MARGIN.left, 34, 'regular', MUTED);
      text(pageLabel, rightX(pageLabel, 'regular'), 34, 'regular', MUTED);
    });
  }

  private wrap(text: string, font: FontName, size: number, maxWidth: number): string[] {
    return wrapText(this.encode(text), this.fonts[font], size, maxWidth);
  }

  private encode(text: string): string {
    return toEncodable(text, this.charset);
  }

  private tableRow(columns: readonly TableColumn[], widths: readonly number[], cells: readonly string[], font: FontName, shaded: boolean): void {
    const pad = 4;
    const height = this.rowHeight(widths, cells, font);
    this.ensure(height);
    const page = this.current();
    if (shaded) page.drawRectangle({ x: MARGIN.left, y: this.y - height, width: this.width, height, color: SHADE });
    let x = MARGIN.left;
    columns.forEach((column, c) => {
      const lines = this.wrap(cells[c] ?? '', font, BODY_SIZE, (widths[c] ?? 0) - 2 * pad);
      lines.forEach((line, i) => {
        const lineWidth = this.fonts[font].widthOfTextAtSize(line, BODY_SIZE);
        const lineX = column.align === 'right' ? x + (widths[c] ?? 0) - pad - lineWidth : x + pad;
        this.drawAt(line, lineX, i, font, INK, pad);
      });
      x += widths[c] ?? 0;
    });
    this.y -= height;
    this.rule(RULE);
  }

  private rowHeight(widths: readonly number[], cells: readonly string[], font: FontName): number {
    const counts = widths.map((w, c) => this.wrap(cells[c] ?? '', font, BODY_SIZE, w - 8).length);
    return Math.max(1, ...counts) * BODY_SIZE * LEADING + 8;
  }

  // Draws an already-encoded line `row` lines below the cursor, without moving it.
  private drawAt(text: string, x: number, row: number, font: FontName, color: RGB, offset = 2): void {
    if (text === '') return;
    const size = BODY_SIZE;
    this.current().drawText(text, { x, y: this.y - offset - size - row * size * LEADING, size, font: this.fonts[font], color });
  }

  private rule(color: RGB): void {
    this.current().drawLine({ start: { x: MARGIN.left, y: this.y }, end: { x: MARGIN.left + this.width, y: this.y }, thickness: 0.5, color });
    this.y -= 2;
  }

  private ensure(height: number): void {
    if (this.page === null || this.y - height < MARGIN.bottom) this.newPage();
  }

  private current(): PDFPage {
    return this.page ?? this.newPage();
  }

  private newPage(): PDFPage {
    const page = this.doc.addPage(A4_SIZE);
    this.pages.push(page);
    this.page = page;
    this.y = A4_SIZE[1] - MARGIN.top;
    return page;
  }
}
