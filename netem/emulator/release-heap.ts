/** A packet waiting for its release time. `seq` breaks ties so equal times leave in arrival order. */
export interface Pending {
  readonly due: number;
  readonly seq: number;
  readonly packet: Buffer;
}

/**
 * Binary min-heap on (due, seq). In-order links only ever append at the
 * end, but reordering and duplicates can insert earlier, so one structure
 * serves both without special cases.
 */
export class ReleaseHeap {
  private readonly items: Pending[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Pending | undefined {
    return this.items[0];
  }

  push(item: Pending): void {
    const a = this.items;
    a.push(item);
    // Step: sift the new item up while it is earlier than its parent.
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): Pending | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    // Step: sift the moved item down below any earlier child.
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && before(a[l]!, a[m]!)) m = l;
      if (r < a.length && before(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return top;
  }
}

function before(x: Pending, y: Pending): boolean {
  return x.due < y.due || (x.due === y.due && x.seq < y.seq);
}
