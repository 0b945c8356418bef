const marked = new Set<string>();

/** Marks a performance milestone once per page load; the benchmark reads these marks. */
export function markOnce(
  name: 'firebreak:incidents-rendered' | 'firebreak:checks-rendered' | 'firebreak:app-interactive'
): void {
  if (marked.has(name)) return;
  marked.add(name);
  performance.mark(name);
}
