import type { ReactNode } from 'react';

/** Headline figures as cards: a label over its value (money, a percentage, a count). */
export function Figures({ items }: { items: Array<[label: string, value: ReactNode]> }) {
  return (
    <div className="cards">
      {items.map(([label, value]) => (
        <div className="card" key={label}>
          <div className="figure-label">{label}</div>
          <div className="figure-value">{value}</div>
        </div>
      ))}
    </div>
  );
}
