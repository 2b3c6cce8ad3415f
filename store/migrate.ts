import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db';

// Migrations are plain SQL beside the compiled code's source; `dist/` has no copy, so resolve from the root.
const MIGRATIONS_DIR = join(__dirname, '..', '..', 'store', 'migrations');
const FALLBACK_DIR = join(__dirname, 'migrations');

function migrationsDir(): string {
  try {
    readdirSync(FALLBACK_DIR);
    return FALLBACK_DIR;
  } catch {
    return MIGRATIONS_DIR;
  }
}

/**
 * Applies `store/migrations/NNN-name.sql` in order, each once, in a transaction. Replicas starting
 * together on one PostgreSQL serialise on an advisory lock so a migration never runs twice.
 */
export async function migrate(db: Db): Promise<void> {
  const dir = migrationsDir();
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(7319004)');
    await tx.query('create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())');
    const done = new Set((await tx.query<{ name: string }>('select name from schema_migrations')).map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = readFileSync(join(dir, file), 'utf8');
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query('insert into schema_migrations (name) values ($1)', [file]);
    }
  });
}

/** Splits on semicolons outside `$$` bodies, so functions can live in migrations. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of sql.split('\n')) {
    if (/^\s*--/.test(line)) continue;
    const dollars = (line.match(/\$\$/g) ?? []).length;
    if (dollars % 2 === 1) inDollar = !inDollar;
    current += line + '\n';
    if (!inDollar && /;\s*$/.test(line)) {
      out.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
