// Reads a forkcost trace written as Arrow IPC (with arrow-js and DuckDB)
// and as Parquet (with DuckDB), and prints what each reader saw as JSON, so
// that run can compare it with forkcost's own dump.
import { readFileSync } from "node:fs";
import { tableFromIPC } from "apache-arrow";
import { DuckDBInstance } from "@duckdb/node-api";

const [arrowPath, parquetPath, eventsPath] = process.argv.slice(2);
const out = {};

const table = tableFromIPC(readFileSync(arrowPath));
const kinds = {};
const kindCol = table.getChild("kind");
for (let i = 0; i < table.numRows; i++) kinds[kindCol.get(i)] = (kinds[kindCol.get(i)] ?? 0) + 1;
let resident = 0n;
const res = table.getChild("resident_bytes");
for (let i = 0; i < table.numRows; i++) { const v = res.get(i); if (v !== null) resident += BigInt(v); }
out.arrowjs = { rows: table.numRows, kinds, resident_sum: resident.toString(),
  schema_version: table.schema.metadata.get("forkcost.schema_version") };

const db = await DuckDBInstance.create(":memory:");
const con = await db.connect();
async function q(sql) { return (await con.runAndReadAll(sql)).getRowObjectsJS(); }
const pq = await q(`SELECT count(*) AS rows, sum(resident_bytes) AS resident_sum,
  count(*) FILTER (WHERE kind IN ('fork','vfork','spawn','clone')) AS creations FROM read_parquet('${parquetPath}')`);
out.duckdb_parquet = { rows: Number(pq[0].rows), resident_sum: pq[0].resident_sum.toString(), creations: Number(pq[0].creations) };
// DuckDB reads Arrow IPC files through its arrow extension, which needs a
// download; arrow-js above covers IPC, DuckDB covers Parquet.
if (eventsPath) {
  const ev = await q(`SELECT machine, sum(saved_ns)/1e9 AS saved_s, count(*) AS rows FROM read_parquet('${eventsPath}') GROUP BY machine ORDER BY machine`);
  out.duckdb_events = ev.map(r => ({ machine: r.machine, saved_s: Number(r.saved_s), rows: Number(r.rows) }));
}
console.log(JSON.stringify(out));
