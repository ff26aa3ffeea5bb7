import { pruneColumns } from '../src/plan/logical/prune-columns.js';
import { explainLogical } from '../src/plan/logical/explain.js';
import { bind, closeFixture } from './plan/binder/fixture.js';
import { readFileSync } from 'node:fs';
const sql = readFileSync(process.argv[2]!, 'utf8').replace(/^--.*$/mg, '').replace(/CREATE MATERIALIZED VIEW \w+ AS/, '');
console.log(explainLogical(pruneColumns(await bind(sql))));
closeFixture();
