// What the runtime learnt about each Revision (did its isolate start?), kept in SQLite so a restart or
// an evicted Store does not send every Ready revision back to Unknown while it is probed again.

import type { RevisionRuntimeFacts } from "../reconcilers/world.ts";

export class FactTable {
  private readonly sql: SqlStorage;
  private readonly facts = new Map<string, RevisionRuntimeFacts>();

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec("CREATE TABLE IF NOT EXISTS revision_facts (id TEXT PRIMARY KEY, facts TEXT NOT NULL)");
    for (const row of sql.exec<{ id: string; facts: string }>("SELECT id, facts FROM revision_facts")) {
      this.facts.set(row.id, JSON.parse(row.facts) as RevisionRuntimeFacts);
    }
  }

  get(id: string): RevisionRuntimeFacts | undefined {
    return this.facts.get(id);
  }

  set(id: string, facts: RevisionRuntimeFacts): void {
    this.facts.set(id, facts);
    this.sql.exec("INSERT OR REPLACE INTO revision_facts (id, facts) VALUES (?, ?)", id, JSON.stringify(facts));
  }

  delete(id: string): void {
    this.facts.delete(id);
    this.sql.exec("DELETE FROM revision_facts WHERE id = ?", id);
  }
}
