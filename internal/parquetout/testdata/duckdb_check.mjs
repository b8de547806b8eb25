// duckdb_check runs the SQL examples of docs/examples over the Parquet
// tables of a directory written by srtdump -parquet (or by the test
// TestDuckDB), with DuckDB's own engine (@duckdb/node-api, an independent
// Parquet reader), and prints their results as one JSON object:
// {"packets_per_type.sql": [{"type": "DATA", "packets": "123"}, ...], ...}.
// Integers are printed as strings (BigInt).
//
//   npm install --prefix "$TMP/duckdb" @duckdb/node-api
//   SRTWIRE_DUCKDB_DIR="$TMP/duckdb" node duckdb_check.mjs DIR docs/examples
//
// SRTWIRE_DUCKDB_DIR is the folder npm installed into (its node_modules
// holds @duckdb/node-api); without it the package is looked up from this
// script's folder as usual.
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const [dir, sqlDir] = process.argv.slice(2);
if (!dir || !sqlDir) {
  console.error('usage: node duckdb_check.mjs DIR SQLDIR');
  process.exit(2);
}
const base = process.env.SRTWIRE_DUCKDB_DIR
  ? path.join(path.resolve(process.env.SRTWIRE_DUCKDB_DIR), 'package.json')
  : import.meta.url;
const { DuckDBInstance, version } = createRequire(base)('@duckdb/node-api');

const sqlFiles = readdirSync(sqlDir).filter((f) => f.endsWith('.sql')).sort();
const queries = sqlFiles.map((f) => [f, readFileSync(path.join(path.resolve(sqlDir), f), 'utf8')]);

// The examples read 'packets/*.parquet' and 'connections/*.parquet', relative
// to DIR, as a user running them in DIR would.
process.chdir(dir);
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const out = { duckdb: version() };
for (const [name, sql] of queries) {
  const reader = await conn.runAndReadAll(sql);
  out[name] = reader.getRowObjectsJson();
}
// The types DuckDB read, for the test to check.
const schema = await conn.runAndReadAll(
  "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('packets/*.parquet')) " +
  "UNION ALL SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('connections/*.parquet'))");
out.schema = schema.getRowObjectsJson();
process.stdout.write(JSON.stringify(out) + '\n');
