/**
 * Memoises `compute(owner, name)` per owner object (held weakly, so a replaced config or quirks object
 * takes its entries with it) and per name. Names come from clients (model ids), so at most
 * `maxPerOwner` are remembered per owner; past that, results are computed each time rather than the
 * cache trusting the clients' variety. A `compute` that throws caches nothing.
 */
export function memoByOwner<O extends object, V>(
  compute: (owner: O, name: string) => V,
  maxPerOwner = 1000,
): (owner: O, name: string) => V {
  const cache = new WeakMap<O, Map<string, V>>();
  return (owner, name) => {
    let byName = cache.get(owner);
    if (!byName) {
      byName = new Map();
      cache.set(owner, byName);
    }
    let value = byName.get(name);
    if (value === undefined) {
      value = compute(owner, name);
      if (byName.size < maxPerOwner) byName.set(name, value);
    }
    return value;
  };
}
