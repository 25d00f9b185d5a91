import { missingRole } from './errors';

/** Stage "authorize": the caller must hold any (or all) of the required roles. */
export function authorize(roles: string[], required: string[], match: 'any' | 'all'): void {
	const wanted = required.map((r) => r.trim()).filter(Boolean);
	if (!wanted.length) return;
	const held = new Set(roles);
	const ok = match === 'all' ? wanted.every((r) => held.has(r)) : wanted.some((r) => held.has(r));
	if (!ok) throw missingRole();
}
