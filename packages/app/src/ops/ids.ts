import { createHash } from 'node:crypto';

export const ARCHIVE_KINDS = ['audit', 'journal'] as const;
export type ArchiveKind = (typeof ARCHIVE_KINDS)[number];

/** `ar_<kind>_<yyyymm>_<12 hex>`: the kind and month say where its manifest is; the hash makes it unique. */
export const ARCHIVE_ID = /^ar_(audit|journal)_\d{6}_[0-9a-f]{12}$/;

export interface ArchiveSlot {
  tenantId: string;
  kind: ArchiveKind;
  /** journal: the env and project; audit is the whole tenant's */
  env?: string;
  projectId?: string;
  /** yyyy-mm */
  month: string;
  part: number;
}

/**
 * The same (tenant, kind, scope, month, part) always gives the same id, and so the same S3 key and
 * manifest item: a redelivered run overwrites its own work instead of adding a copy.
 */
export function archiveIdOf(slot: ArchiveSlot): string {
  const hash = createHash('sha256')
    .update([slot.tenantId, slot.kind, slot.env ?? '-', slot.projectId ?? '-', slot.month, slot.part].join('|'))
    .digest('hex')
    .slice(0, 12);
  return `ar_${slot.kind}_${slot.month.replace('-', '')}_${hash}`;
}

/** The kind and month an archive id names (its manifest's key), or undefined when it is not one. */
export function parseArchiveId(archiveId: string): { kind: ArchiveKind; month: string } | undefined {
  const m = /^ar_(audit|journal)_(\d{4})(\d{2})_[0-9a-f]{12}$/.exec(archiveId);
  return m ? { kind: m[1] as ArchiveKind, month: `${m[2]}-${m[3]}` } : undefined;
}
