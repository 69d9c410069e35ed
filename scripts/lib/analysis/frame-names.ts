// Frame names kept once each, found by their bytes in a line without decoding them: a profile repeats a
// few thousand names hundreds of thousands of times, and decoding and hashing a new string for each (a
// Map lookup) costs more than the rest of the reading together. An open-addressing table of FNV-1a
// hashes over the UTF-8 bytes; the bytes of every name sit in one arena; a string is made only for a
// name not seen yet. Pure.

export class FrameNames {
  /** Each distinct name, by id. */
  readonly names: string[] = [];
  private hashes = new Int32Array(1024);
  private starts = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private arena = Buffer.alloc(64 * 1024);
  private used = 0;
  /** Open addressing: id + 1, 0 for an empty slot. */
  private slots = new Int32Array(2048);

  /** The id of the name in buf[start, end), added when new. */
  idOf(buf: Buffer, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const slot = this.slots[s]!;
      if (slot === 0) return this.add(buf, start, end, h, s);
      const id = slot - 1;
      if (this.hashes[id] === h && this.same(id, buf, start, end)) return id;
    }
  }

  /** The id of a name given as a string. */
  id(name: string): number {
    const bytes = Buffer.from(name, "utf8");
    return this.idOf(bytes, 0, bytes.length);
  }

  private same(id: number, buf: Buffer, start: number, end: number): boolean {
    const length = this.lengths[id]!;
    if (length !== end - start) return false;
    const at = this.starts[id]!;
    for (let i = 0; i < length; i++) if (this.arena[at + i] !== buf[start + i]) return false;
    return true;
  }

  private add(buf: Buffer, start: number, end: number, hash: number, slot: number): number {
    const id = this.names.length;
    const length = end - start;
    if (this.used + length > this.arena.length) {
      const grown = Buffer.alloc(Math.max(this.arena.length * 2, this.used + length));
      this.arena.copy(grown, 0, 0, this.used);
      this.arena = grown;
    }
    buf.copy(this.arena, this.used, start, end);
    if (id === this.hashes.length) {
      this.hashes = grow(this.hashes);
      this.starts = grow(this.starts);
      this.lengths = grow(this.lengths);
    }
    this.hashes[id] = hash;
    this.starts[id] = this.used;
    this.lengths[id] = length;
    this.used += length;
    this.names.push(this.arena.toString("utf8", this.starts[id]!, this.used));
    this.slots[slot] = id + 1;
    if (this.names.length * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.names.length; id++) {
      let s = this.hashes[id]! & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = id + 1;
    }
    this.slots = slots;
  }
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
