/** A Map that forgets its oldest entries beyond `max`, for memos and hints that must not grow forever. */
export class BoundedMap<K, V> extends Map<K, V> {
  private readonly max: number;

  /** Keeps at most `max` entries. */
  constructor(max: number) {
    super();
    this.max = max;
  }

  /** Sets (and refreshes) an entry, evicting the oldest when full. */
  override set(key: K, value: V): this {
    this.delete(key);
    super.set(key, value);
    if (this.size > this.max) this.delete(this.keys().next().value as K);
    return this;
  }
}
