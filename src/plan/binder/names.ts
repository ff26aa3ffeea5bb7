/**
 * Field names: unique within a node, compared case-insensitively because DuckDB resolves even
 * quoted identifiers case-insensitively (`"x"` and `"X"` would collide in generated SQL).
 */
export class NameAllocator {
  private readonly taken = new Set<string>();

  constructor(initial: Iterable<string> = []) {
    for (const n of initial) this.taken.add(n.toLowerCase());
  }

  has(name: string): boolean {
    return this.taken.has(name.toLowerCase());
  }

  /** `base` if free, else `base_1`, `base_2`, ...; the result is taken from then on. */
  allocate(base: string): string {
    let name = base;
    for (let i = 1; this.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name.toLowerCase());
    return name;
  }
}

/** Whether a stored name matches an identifier as written (quoted: exactly; unquoted: ignoring case). */
export function nameMatches(stored: string, written: string, quoted: boolean): boolean {
  return quoted ? stored === written : stored.toLowerCase() === written.toLowerCase();
}
