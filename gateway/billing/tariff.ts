/** One consumption band of a tariff: (previous upTo, upTo], price per unit. */
export interface Tier {
  upTo: number | null;
  price: number;
}

export interface TierCharge {
  tier: number;
  from: number;
  to: number | null;
  price: number;
  quantity: number;
  cost: number;
}

export interface TieredCost {
  tiers: TierCharge[];
  /** The highest tier with consumption in it (1-based; 1 with no consumption). */
  tierReached: number;
  /** Sum of the tiers' costs (each rounded to cents). */
  energyCost: number;
}

/** Money is shown with 2 decimals; each tier's cost is rounded, the total is their sum. */
export function cents(v: number): number {
  return Math.round((v + Number.EPSILON) * 100) / 100;
}

/**
 * Splits a consumption over the bands (pure). A band takes what lies above its lower edge up to
 * and including its upper edge: a consumption exactly on an edge stays in the lower band.
 */
export function tieredCost(consumption: number, tiers: readonly Tier[]): TieredCost {
  const out: TierCharge[] = [];
  let from = 0;
  let reached = 1;
  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i] as Tier;
    const top = t.upTo ?? Infinity;
    const quantity = Math.max(0, Math.min(consumption, top) - from);
    if (quantity > 0) reached = i + 1;
    out.push({ tier: i + 1, from, to: t.upTo, price: t.price, quantity, cost: cents(quantity * t.price) });
    from = top;
  }
  return { tiers: out, tierReached: reached, energyCost: cents(out.reduce((a, c) => a + c.cost, 0)) };
}
