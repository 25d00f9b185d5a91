// Percentiles and number formatting for the benchmark. Pure.
'use strict';

/** The p-th percentile (nearest rank) of the finite values; NaN when there are none. */
function pct(values, p) {
	const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
	if (!v.length) return NaN;
	return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
}
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const ratioOf = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
const mb = (kb) => kb / 1024;

module.exports = { pct, f1, f2, ratioOf, mb };
