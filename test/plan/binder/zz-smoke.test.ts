import t from 'tap';
import { bind, closeFixture } from './fixture.js';
import { explainLogical } from '../../../src/plan/logical/explain.js';
t.teardown(closeFixture);
const qs = process.env.QS!.split(';;');
for (const q of qs) {
  t.test(q, async () => {
    try { console.log(q + '\n' + explainLogical(await bind(q)) + '\n'); }
    catch (e: any) { console.log(q + '\nERROR ' + e.code + ' ' + e.message + ' ' + JSON.stringify(e.position) + (e.hint ? ' HINT ' + e.hint : '') + '\n'); }
  });
}
