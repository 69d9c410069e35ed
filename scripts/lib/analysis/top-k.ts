// The first k items of an order without sorting them all: a profile has tens of thousands of frames and
// a report shows ten. Pure.

export function topK<T>(items: Iterable<T>, k: number, order: (a: T, b: T) => number): T[] {
  const best: T[] = [];
  for (const item of items) {
    if (best.length === k && order(item, best[k - 1]!) >= 0) continue;
    let i = best.length === k ? k - 1 : best.length;
    // Shift the worse ones down and put the item in its place.
    while (i > 0 && order(item, best[i - 1]!) < 0) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = item;
  }
  return best;
}
