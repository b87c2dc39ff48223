// A reference for `apidoctor doctor --json`: the same three API requests with Node's built-in fetch,
// all at once, bodies printed. What Node's own HTTP stack costs for doctor's requests, with no checks.
const base = process.env.MODELSWITCH_BASE_URL;
const get = (path, key) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.text());
const bodies = await Promise.all([
  get('/v1/models', process.env.MODELSWITCH_API_KEY),
  get('/api/keys', process.env.MODELSWITCH_BILLING_KEY),
  get('/api/balance', process.env.MODELSWITCH_BILLING_KEY),
]);
console.log(bodies.join('\n'));
