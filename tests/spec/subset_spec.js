// Writes the part of an API description that the conformance test needs, for
// descriptions too big for Prism 5.16 to load in reasonable time (Stripe's 4 MB
// file did not finish loading in 8 minutes on a 2-core machine).
//   node subset_spec.js NODE_MODULES_DIR IN.yaml OUT.json PATH...
// Kept unchanged: the listed paths with their parameters, request bodies and
// security, and every component those reach. Replaced: each operation's
// responses, by one generic JSON 200 (requests are validated, not responses; the
// response schemas are what pull in most of the file).
const fs = require('fs');
const path = require('path');
const yaml = require(path.resolve(process.argv[2], 'js-yaml'));
const doc = yaml.load(fs.readFileSync(process.argv[3], 'utf8'));
const keep = process.argv.slice(5);
for (const p of keep) if (!doc.paths[p]) { console.error(`${process.argv[3]}: no path ${p}`); process.exit(1); }
for (const p of Object.keys(doc.paths)) if (!keep.includes(p)) delete doc.paths[p];
const stub = { description: 'Successful response.', content: { 'application/json': { schema: { type: 'object' } } } };
for (const p of Object.values(doc.paths))
  for (const [m, op] of Object.entries(p)) if (op && op.responses) op.responses = { '200': stub };
// Keep only the components the requests reach.
const seen = new Set();
const walk = (v) => {
  if (Array.isArray(v)) return v.forEach(walk);
  if (v && typeof v === 'object') {
    if (typeof v.$ref === 'string' && !seen.has(v.$ref)) {
      seen.add(v.$ref);
      const parts = v.$ref.replace(/^#\//, '').split('/');
      let t = doc; for (const k of parts) t = t && t[k];
      walk(t);
    }
    Object.values(v).forEach(walk);
  }
};
walk(doc.paths);
for (const [kind, group] of Object.entries(doc.components || {}))
  if (kind !== 'securitySchemes')
    for (const name of Object.keys(group)) if (!seen.has(`#/components/${kind}/${name}`)) delete group[name];
fs.writeFileSync(process.argv[4], JSON.stringify(doc));
