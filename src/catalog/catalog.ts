/**
 * The in-memory catalog: every source, table, view, materialized view and sink by name, and what each
 * one reads. Names share one namespace across kinds, as relations do in PostgreSQL.
 */
import { EddyError } from '../util/errors.js';
import type { CatalogReader } from './reader.js';
import type { CatalogObject, CatalogObjectKind } from './types.js';

/** A catalog object and the relations its query reads (empty for sources and tables). */
export interface CatalogEntry {
  readonly object: CatalogObject;
  readonly dependsOn: readonly string[];
}

/** How each kind is named in messages and in DROP statements. */
export const KIND_NAMES: Readonly<Record<CatalogObjectKind, string>> = {
  source: 'source',
  table: 'table',
  view: 'view',
  materialized_view: 'materialized view',
  sink: 'sink',
};

export class Catalog implements CatalogReader {
  private readonly entries = new Map<string, CatalogEntry>();

  get(name: string): CatalogObject | undefined {
    return this.entries.get(name)?.object;
  }

  /** All objects in creation order. */
  list(): readonly CatalogObject[] {
    return [...this.entries.values()].map((e) => e.object);
  }

  entry(name: string): CatalogEntry | undefined {
    return this.entries.get(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Adds an object; a name already used by any kind of object is a DUPLICATE_OBJECT error. */
  add(object: CatalogObject, dependsOn: readonly string[] = []): void {
    const existing = this.entries.get(object.name);
    if (existing) {
      throw new EddyError('DUPLICATE_OBJECT', `${KIND_NAMES[existing.object.kind]} "${object.name}" already exists`, {
        hint: `choose another name, or DROP ${KIND_NAMES[existing.object.kind].toUpperCase()} "${object.name}" first`,
      });
    }
    for (const dep of dependsOn) {
      if (!this.entries.has(dep)) throw new EddyError('UNDEFINED_TABLE', `relation "${dep}" does not exist`);
    }
    this.entries.set(object.name, { object, dependsOn: [...new Set(dependsOn)] });
  }

  /** The objects that read `name` directly (views, materialized views and sinks over it). */
  dependents(name: string): CatalogObject[] {
    return [...this.entries.values()].filter((e) => e.dependsOn.includes(name)).map((e) => e.object);
  }

  /**
   * What dropping `name` removes, dependents before what they depend on. Without cascade, an object
   * that others read cannot be dropped: a DEPENDENT_OBJECTS error names them.
   */
  dropOrder(name: string, cascade: boolean): CatalogObject[] {
    const target = this.get(name);
    if (!target) throw new EddyError('UNDEFINED_TABLE', `relation "${name}" does not exist`);
    const direct = this.dependents(name);
    if (direct.length > 0 && !cascade) {
      const names = direct.map((o) => `${KIND_NAMES[o.kind]} "${o.name}"`).join(', ');
      throw new EddyError('DEPENDENT_OBJECTS', `cannot drop ${KIND_NAMES[target.kind]} "${name}" because other objects depend on it: ${names}`, {
        hint: 'use DROP ... CASCADE to drop the dependent objects too',
      });
    }
    const order: CatalogObject[] = [];
    const visit = (n: string): void => {
      if (order.some((o) => o.name === n)) return;
      for (const dep of this.dependents(n)) visit(dep.name);
      const object = this.get(n);
      if (object) order.push(object);
    };
    visit(name);
    return order;
  }

  /** Removes one object (callers drop its dependents first, in the order dropOrder gives). */
  remove(name: string): void {
    this.entries.delete(name);
  }
}
