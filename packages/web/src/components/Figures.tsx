import type { ReactNode } from 'react';

/** A headline figure as a card: its label over its value (money, a percentage, a count). */
export function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="card">
      <div className="figure-label">{label}</div>
      <div className="figure-value">{children}</div>
    </div>
  );
}

/** Headline figures as a row of cards. */
export function Figures({ items }: { items: Array<[label: string, value: ReactNode]> }) {
  return (
    <div className="cards">
      {items.map(([label, value]) => (
        <Figure key={label} label={label}>
          {value}
        </Figure>
      ))}
    </div>
  );
}
