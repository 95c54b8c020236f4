// Object storage in the Store's SQLite database, with a write-through in-memory index.
// Every write takes the next resourceVersion from one cluster-wide counter, as etcd does.

import type { KObject } from "../types.ts";

export interface StoredChange {
  type: "ADDED" | "MODIFIED" | "DELETED";
  key: string;
  object: KObject;
}

type Listener = (change: StoredChange) => void;

function slot(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

export class ObjectTable {
  private readonly sql: SqlStorage;
  private readonly byKey = new Map<string, Map<string, KObject>>();
  private rv = 0;
  private readonly listeners: Listener[] = [];

  constructor(sql: SqlStorage) {
    this.sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS objects (
      key TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
      PRIMARY KEY (key, namespace, name))`);
    sql.exec(`CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`);
    for (const row of sql.exec<{ key: string; body: string }>("SELECT key, body FROM objects")) {
      const obj = JSON.parse(row.body) as KObject;
      this.index(row.key).set(slot(obj.metadata.namespace, obj.metadata.name!), obj);
    }
    const counter = sql.exec<{ value: number }>("SELECT value FROM counters WHERE name = 'rv'").toArray()[0];
    this.rv = counter?.value ?? 0;
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  get(key: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.byKey.get(key)?.get(slot(namespace, name));
  }

  list(key: string, namespace?: string): KObject[] {
    const all = this.byKey.get(key);
    if (!all) return [];
    const out: KObject[] = [];
    for (const obj of all.values()) {
      if (namespace === undefined || obj.metadata.namespace === namespace) out.push(obj);
    }
    return out.sort((a, b) => cmp(a.metadata.namespace, b.metadata.namespace) || cmp(a.metadata.name, b.metadata.name));
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  /** Writes `obj` (created or replaced), stamping the next resourceVersion. Returns the stored object. */
  put(key: string, obj: KObject): KObject {
    const ns = obj.metadata.namespace;
    const name = obj.metadata.name!;
    const existed = this.index(key).has(slot(ns, name));
    const stored: KObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: this.nextRv() } };
    this.sql.exec(
      "INSERT OR REPLACE INTO objects (key, namespace, name, body) VALUES (?, ?, ?, ?)",
      key, ns ?? "", name, JSON.stringify(stored),
    );
    this.index(key).set(slot(ns, name), stored);
    this.emit({ type: existed ? "MODIFIED" : "ADDED", key, object: stored });
    return stored;
  }

  remove(key: string, namespace: string | undefined, name: string): KObject | undefined {
    const current = this.get(key, namespace, name);
    if (!current) return undefined;
    this.sql.exec("DELETE FROM objects WHERE key = ? AND namespace = ? AND name = ?", key, namespace ?? "", name);
    this.index(key).delete(slot(namespace, name));
    const gone: KObject = { ...current, metadata: { ...current.metadata, resourceVersion: this.nextRv() } };
    this.emit({ type: "DELETED", key, object: gone });
    return gone;
  }

  private nextRv(): string {
    this.rv += 1;
    this.sql.exec("INSERT OR REPLACE INTO counters (name, value) VALUES ('rv', ?)", this.rv);
    return String(this.rv);
  }

  private index(key: string): Map<string, KObject> {
    let m = this.byKey.get(key);
    if (!m) {
      m = new Map();
      this.byKey.set(key, m);
    }
    return m;
  }

  private emit(change: StoredChange): void {
    for (const l of this.listeners) l(change);
  }
}

function cmp(a: string | undefined, b: string | undefined): number {
  return (a ?? "").localeCompare(b ?? "");
}
