// Content-addressed store of worker scripts (the registry behind `worker://` images).

export interface PushedScript {
  name: string;
  digest: string; // "sha256:<hex>"
  image: string; // "worker://name@sha256:<hex>"
}

const NAME = /^[a-z0-9]([a-z0-9._-]{0,126}[a-z0-9])?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function isValidScriptName(name: string): boolean {
  return NAME.test(name);
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

export async function sha256Hex(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export class ScriptTable {
  private readonly sql: SqlStorage;
  private readonly codeCache = new Map<string, string>();

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS scripts (digest TEXT PRIMARY KEY, name TEXT NOT NULL, code TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS script_tags (name TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL,
      PRIMARY KEY (name, tag))`);
  }

  async push(name: string, code: string, tags: string[]): Promise<PushedScript> {
    const digest = `sha256:${await sha256Hex(code)}`;
    this.sql.exec("INSERT OR IGNORE INTO scripts (digest, name, code) VALUES (?, ?, ?)", digest, name, code);
    for (const tag of tags) {
      this.sql.exec("INSERT OR REPLACE INTO script_tags (name, tag, digest) VALUES (?, ?, ?)", name, tag, digest);
    }
    return { name, digest, image: `worker://${name}@${digest}` };
  }

  code(digest: string): string | null {
    const cached = this.codeCache.get(digest);
    if (cached !== undefined) return cached;
    const row = this.sql.exec<{ code: string }>("SELECT code FROM scripts WHERE digest = ?", digest).toArray()[0];
    if (!row) return null;
    this.codeCache.set(digest, row.code);
    return row.code;
  }

  has(digest: string): boolean {
    return this.sql.exec("SELECT 1 FROM scripts WHERE digest = ?", digest).toArray().length > 0;
  }

  tag(name: string, tag: string): string | undefined {
    const row = this.sql.exec<{ digest: string }>("SELECT digest FROM script_tags WHERE name = ? AND tag = ?", name, tag).toArray()[0];
    return row?.digest;
  }
}
