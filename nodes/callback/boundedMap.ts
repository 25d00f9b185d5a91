/**
 * The per-process memos (targeting/hints.ts, urls/urlSecret.ts) are Maps in insertion order,
 * oldest first, bounded in size: an entry written again moves to the end, and the oldest go when
 * the Map is full. Plain TypeScript.
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
	map.delete(key);
	while (map.size >= max) {
		const oldest = map.keys().next();
		if (oldest.done) break;
		map.delete(oldest.value);
	}
	map.set(key, value);
}
