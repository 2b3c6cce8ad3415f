import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

// The store speaks the domain's model: rows and PostgreSQL's error codes stay inside store/, so the
// domain and the resolvers never see a snake_case column or a SQLSTATE (docs/ARCHITECTURE.md).
const ROOT = join(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `file:line: text` of every line of `files` that matches `pattern`. */
function offending(files: readonly string[], pattern: RegExp): string[] {
  return files.flatMap((file) =>
    readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
}

const DOMAIN_AND_RESOLVERS = [...sources('domain'), ...sources('resolvers')];

describe('the store speaks our model', () => {
  it('finds the files it checks', () => {
    expect(DOMAIN_AND_RESOLVERS.length).toBeGreaterThan(50);
    expect(DOMAIN_AND_RESOLVERS).toContain(join('resolvers', 'subscription.ts'));
  });

  it('domain and resolvers name no *Row type', () => {
    expect(offending(DOMAIN_AND_RESOLVERS, /\b[A-Z][A-Za-z0-9]*Row\b/)).toEqual([]);
  });

  it('domain and resolvers know no PostgreSQL error code, nor the store helpers that read them', () => {
    expect(offending(DOMAIN_AND_RESOLVERS, /\b(23505|40001|40P01)\b|store\/errors|isUniqueViolation|isSerializationFailure/)).toEqual([]);
  });

  it('resolvers read no snake_case field: the models carry the GraphQL names, so nothing is renamed', () => {
    expect(offending(sources('resolvers'), /\.[a-z][a-z0-9]*_[a-z0-9_]+\b/)).toEqual([]);
  });

  it('the store exports no snake_case field and no public method answers with a *Row', () => {
    const problems: string[] = [];
    for (const file of sources('store')) {
      const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
      const where = (node: ts.Node) => `${relative('.', file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
      const exported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      const visit = (node: ts.Node, inExport: boolean): void => {
        const exporting = inExport || ((ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) && exported(node));
        if (exporting && ts.isPropertySignature(node) && node.name.getText(source).includes('_')) problems.push(`${where(node)}: ${node.name.getText(source)}`);
        if (ts.isMethodDeclaration(node) && ts.isClassDeclaration(node.parent) && exported(node.parent)) {
          const hidden = (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword);
          const answer = node.type?.getText(source) ?? '';
          if (!hidden && /Row\b/.test(answer)) problems.push(`${where(node)}: ${node.name.getText(source)}(): ${answer}`);
        }
        ts.forEachChild(node, (child) => visit(child, exporting));
      };
      visit(source, false);
    }
    expect(problems).toEqual([]);
  });
});
