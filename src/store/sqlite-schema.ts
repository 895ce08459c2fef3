// The SQLite layout behind SqliteStore, and its prepared statements.
//
// objects: the current state, keyed by (resource, namespace, name); namespace is "" for cluster-scoped
//   resources. Read once, at open, into the in-memory index that serves every read (object-index.ts),
//   which keeps them in that key's order: the list and continue-token order.
// changes: one row per write, keyed by its resourceVersion (the global counter), for watch resume.
//   Compaction keeps the newest entries, so max(changes.rv) is always the counter after a restart.

import type { Database, Statement } from 'better-sqlite3';
import type { ObjectRow } from './object-index.js';

export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (
  resource  TEXT    NOT NULL,
  namespace TEXT    NOT NULL,
  name      TEXT    NOT NULL,
  uid       TEXT    NOT NULL,
  rv        INTEGER NOT NULL,
  json      TEXT    NOT NULL,
  PRIMARY KEY (resource, namespace, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes (
  rv        INTEGER PRIMARY KEY,
  type      TEXT    NOT NULL,
  resource  TEXT    NOT NULL,
  namespace TEXT    NOT NULL,
  name      TEXT    NOT NULL,
  json      TEXT    NOT NULL,
  prev      TEXT
);
`;

export interface ChangeRow {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: string;
  namespace: string;
  name: string;
  json: string;
  prev: string | null;
}

export interface Statements {
  /** Every object, to load the in-memory index (object-index.ts) that serves reads. */
  allObjects: Statement<[], ObjectRow>;
  insertObject: Statement<[string, string, string, string, number, string]>;
  updateObject: Statement<[string, number, string, string, string, string]>;
  deleteObject: Statement<[string, string, string]>;
  insertChange: Statement<[number, string, string, string, string, string, string | null]>;
  compactChanges: Statement<[number]>;
  /** (afterRv, resource) */
  changesSince: Statement<[number, string], ChangeRow>;
  maxRv: Statement<[], { rv: number | null }>;
  minChangeRv: Statement<[], { rv: number | null }>;
}

export function openSchema(db: Database): Statements {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`store schema version ${version} is newer than this peapod understands (${SCHEMA_VERSION})`);
  }
  db.exec(SCHEMA);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
  return {
    allObjects: db.prepare('SELECT resource, namespace, name, uid, rv, json FROM objects'),
    insertObject: db.prepare(
      'INSERT INTO objects (resource, namespace, name, uid, rv, json) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    updateObject: db.prepare(
      'UPDATE objects SET uid = ?, rv = ?, json = ? WHERE resource = ? AND namespace = ? AND name = ?',
    ),
    deleteObject: db.prepare('DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?'),
    insertChange: db.prepare(
      'INSERT INTO changes (rv, type, resource, namespace, name, json, prev) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    compactChanges: db.prepare('DELETE FROM changes WHERE rv <= ?'),
    changesSince: db.prepare(
      'SELECT rv, type, resource, namespace, name, json, prev FROM changes WHERE rv > ? AND resource = ? ORDER BY rv',
    ),
    maxRv: db.prepare(
      'SELECT max(rv) AS rv FROM (SELECT max(rv) AS rv FROM changes UNION ALL SELECT max(rv) AS rv FROM objects)',
    ),
    minChangeRv: db.prepare('SELECT min(rv) AS rv FROM changes'),
  };
}
