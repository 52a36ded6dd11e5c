import { PGlite } from '@electric-sql/pglite';
let t=Date.now();
const a = new PGlite(); await a.waitReady; console.log('memory init', Date.now()-t);
t=Date.now(); await a.query('select 1'); console.log('q', Date.now()-t);
t=Date.now(); const dump = await a.dumpDataDir('none'); console.log('dump', Date.now()-t, dump.size);
t=Date.now(); const b = new PGlite({loadDataDir: dump}); await b.waitReady; console.log('from dump', Date.now()-t);
t=Date.now(); const c = new PGlite('/tmp/pgldir'); await c.waitReady; console.log('dir init', Date.now()-t); await c.close();
t=Date.now(); const d = new PGlite('/tmp/pgldir'); await d.waitReady; console.log('dir reopen', Date.now()-t); await d.close();
t=Date.now(); const e = new PGlite(); await e.waitReady; console.log('memory init2', Date.now()-t);
