// The baseline for `apidoctor balance --json`: the same GET /api/balance with Node's built-in fetch,
// body printed. As minimal as a script can be: no checks, no parsing, no error handling.
const res = await fetch(`${process.env.MODELSWITCH_BASE_URL}/api/balance`, {
  headers: { authorization: `Bearer ${process.env.MODELSWITCH_BILLING_KEY}` },
});
console.log(await res.text());
