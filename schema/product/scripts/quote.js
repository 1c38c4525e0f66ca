// A quote for door orders: modern JavaScript (a class with a private field, destructuring with defaults,
// optional chaining, template literals) and async code, awaited at the top level.
// POST {"lines": [{"sku": "door-7", "qty": 2, "price": 120}, {"sku": "hinge", "qty": 4}]}
class Quote {
  #lines;

  constructor(lines) {
    this.#lines = lines;
  }

  get total() {
    return this.#lines.reduce((sum, { qty, price }) => sum + qty * price, 0);
  }
}

// Stands in for work that completes later (a price list); a script may await any promise it makes.
const priceOf = async ({ sku, price }) => price ?? (sku?.startsWith('hinge') ? 4.5 : 100);

const { lines = [], currency = 'EUR' } = attributes.get('data') ?? {};
if (!Array.isArray(lines) || lines.length === 0) {
  attributes.put('status', 25);
  attributes.put('errorMessage', 'Give the lines to quote: {"lines": [{"sku": "door-7", "qty": 2}]}');
} else {
  const priced = await Promise.all(lines.map(async (line) => ({ qty: 1, ...line, price: await priceOf(line) })));
  const quote = new Quote(priced);
  console.info(`quoted ${priced.length} lines for ${quote.total} ${currency}`);
  attributes.put('response', { currency, total: quote.total, lines: priced });
}
