/**
 * Hive-style partition directories (`day=2024-01-01/region=eu/x.json`) as column values. A file's
 * `key=value` directories below the glob's fixed base directory give the values of the source columns
 * named `key`; files are grouped by those values so that each group is one read.
 */
import { isAbsolute, join, relative, sep } from 'node:path';

/** The directory of a glob before its first wildcard segment: `/a/b/*\/x/*.json` -> `/a/b`. */
export function globBase(pattern: string): string {
  const parts = pattern.split(sep);
  const first = parts.findIndex((p) => /[*?[{]/.test(p));
  const fixed = first === -1 ? parts.slice(0, -1) : parts.slice(0, first);
  const base = fixed.join(sep);
  return base === '' && isAbsolute(pattern) ? sep : base;
}

/** A partition value as the path spells it: URL-decoded; Hive's and DuckDB's null marker is null. */
function partitionValue(raw: string): string | null {
  if (raw === '__HIVE_DEFAULT_PARTITION__' || raw === 'NULL') return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export interface PartitionGroup {
  /** Column name -> value, for the columns the group's directories name, in path order. */
  readonly values: ReadonlyMap<string, string | null>;
  readonly files: readonly string[];
}

/** The `key=value` directories of `file` under `base` whose key is one of `columns`. */
export function partitionValues(file: string, base: string, columns: ReadonlySet<string>): Map<string, string | null> {
  const values = new Map<string, string | null>();
  const dirs = relative(base, file).split(sep).slice(0, -1);
  for (const dir of dirs) {
    const eq = dir.indexOf('=');
    if (eq <= 0) continue;
    const key = dir.slice(0, eq);
    if (columns.has(key)) values.set(key, partitionValue(dir.slice(eq + 1)));
  }
  return values;
}

/** Groups files (keeping their order within each group) by their partition values. */
export function groupByPartition(files: readonly string[], base: string, columns: ReadonlySet<string>): PartitionGroup[] {
  const groups = new Map<string, { values: Map<string, string | null>; files: string[] }>();
  for (const file of files) {
    const values = partitionValues(file, base, columns);
    const key = JSON.stringify([...values]);
    const group = groups.get(key) ?? { values, files: [] };
    group.files.push(file);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Where `file` goes under `archiveDir`: its path below the glob's base, kept. */
export function archivedPath(file: string, base: string, archiveDir: string): string {
  return join(archiveDir, relative(base, file));
}
