// `node wal-checkpoint-main.js <db>`: one PASSIVE WAL checkpoint of the daemon's store from a process of
// its own (wal-checkpointer.ts), so the copy of the WAL's pages into the database and the fsyncs it
// takes run off the daemon's event loop. PASSIVE never waits for the daemon's writes, nor blocks them.
// Prints SQLite's answer as JSON: { busy, log, checkpointed } (frames).

import Database from 'better-sqlite3';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: wal-checkpoint-main.js <database file>\n');
  process.exit(2);
}
const db = new Database(file, { fileMustExist: true });
try {
  db.pragma('busy_timeout = 5000');
  const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  db.close();
}
