/**
 * Column pruning: every node keeps only the fields something above it reads. A streaming plan pays
 * for width in state (a stream join stores both inputs' rows until the watermark evicts them), so a
 * source read by a join or an aggregate is narrowed to the columns the query uses right where it is
 * scanned, e.g. Nexmark q7 keeps (auction, price, bidder, date_time) of each bid, not its url and
 * extra strings. DuckDB prunes its own plans; this pass is for the incremental planner's operators.
 *
 * Nodes refer to input fields by name, so a node may be given an input with fewer fields (or the same
 * fields in another order). Where order matters (the plan's root, UNION ALL, DISTINCT) every field is
 * required, so those outputs keep their exact shape.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { Field } from './field.js';
import type { LogicalNode } from './nodes.js';

/** The plan with unused fields dropped; its output fields are exactly the root's. */
export function pruneColumns(root: LogicalNode): LogicalNode {
  return prune(root, new Set(root.fields.map((f) => f.name)));
}

/** `node` narrowed to at least the `required` fields (by name); other fields may remain. */
function prune(node: LogicalNode, required: ReadonlySet<string>): LogicalNode {
  switch (node.kind) {
    case 'scan': {
      if (node.relation !== 'source') return node;
      const kept = node.fields.filter((f) => required.has(f.name));
      if (kept.length === node.fields.length) return node;
      // count(*) over a source reads no column, but a relation needs one.
      const fields = kept.length > 0 ? kept : node.fields.slice(0, 1);
      const scan = { ...node, fieldsRead: fields.map((f) => f.name) };
      return { kind: 'project', input: scan, exprs: fields.map((f) => quoteIdent(f.name)), fields };
    }
    case 'filter': {
      const input = prune(node.input, union(required, referenced(node.predicate, node.input.fields)));
      return { ...node, input, fields: input.fields };
    }
    case 'project': {
      let keep = node.fields.map((f, i) => i).filter((i) => required.has(node.fields[i]!.name));
      if (keep.length === 0) keep = [0];
      const exprs = keep.map((i) => node.exprs[i]!);
      const fields = keep.map((i) => node.fields[i]!);
      const input = prune(node.input, referenced(exprs.join(' '), node.input.fields));
      return { ...node, input, exprs, fields };
    }
    case 'aggregate': {
      const uses = [...node.keys];
      for (const call of node.aggregates) {
        if (call.fn === 'general') uses.push(...call.inputs);
        else if (call.arg !== null) uses.push(call.arg);
        if (call.filter !== null) uses.push(...referenced(call.filter, node.input.fields));
      }
      return { ...node, input: prune(node.input, new Set(uses)) };
    }
    case 'join': {
      const needs = union(required, referenced(node.condition ?? '', node.fields));
      for (const [l, r] of node.equiKeys) needs.add(l).add(r);
      if (node.timeBound) needs.add(node.timeBound.leftField).add(node.timeBound.rightField);
      const left = prune(node.left, only(needs, node.left.fields));
      const right = prune(node.right, only(needs, node.right.fields));
      return { ...node, left, right, fields: [...left.fields, ...right.fields] };
    }
    case 'window': {
      const windowFields = node.fields.slice(-2);
      const needs = only(required, node.input.fields);
      needs.add(node.timeField);
      for (const p of node.partitionBy) needs.add(p);
      const input = prune(node.input, needs);
      return { ...node, input, fields: [...input.fields, ...windowFields] };
    }
    case 'sort_limit': {
      const needs = all(node.input);
      return { ...node, input: prune(node.input, needs) };
    }
    case 'union':
      return { ...node, inputs: node.inputs.map((i) => prune(i, all(i))) };
    case 'rank': {
      // Which rows a rank keeps depends on its partition and order only; among ties any may be kept,
      // so fields nobody reads above do not matter.
      const needs = only(required, node.input.fields);
      for (const p of node.partitionBy) needs.add(p);
      for (const k of node.orderBy) for (const r of referenced(k.expr, node.input.fields)) needs.add(r);
      const input = prune(node.input, needs);
      const rank = node.rankField === null ? [] : node.fields.slice(-1);
      return { ...node, input, fields: [...input.fields, ...rank] };
    }
    case 'over': {
      // The calls keep all their rows (a frame may reach any row of its partition); only fields that
      // nothing reads are dropped.
      const needs = only(required, node.input.fields);
      for (const p of node.partitionBy) needs.add(p);
      for (const r of referenced(node.exprs.join(' '), node.input.fields)) needs.add(r);
      const input = prune(node.input, needs);
      return { ...node, input, fields: [...input.fields, ...node.fields.slice(node.input.fields.length)] };
    }
    case 'distinct':
      // Every input field decides which rows are distinct.
      return { ...node, input: prune(node.input, all(node.input)) };
  }
}

function all(node: LogicalNode): Set<string> {
  return new Set(node.fields.map((f) => f.name));
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  return new Set([...a, ...b]);
}

/** The names of `fields` among `names`. */
function only(names: ReadonlySet<string>, fields: readonly Field[]): Set<string> {
  return new Set(fields.map((f) => f.name).filter((n) => names.has(n)));
}

/**
 * The fields an expression refers to. Plan expressions always quote field names, so the quoted
 * identifiers outside string literals are the references; a name that is not a field (a struct
 * member, say) is ignored.
 */
export function referenced(sql: string, fields: readonly Field[]): Set<string> {
  const names = new Set(fields.map((f) => f.name));
  const found = new Set<string>();
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'") {
      for (i++; i < sql.length; i++) {
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") i++;
          else break;
        }
      }
    } else if (c === '"') {
      let name = '';
      for (i++; i < sql.length; i++) {
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') {
            name += '"';
            i++;
          } else break;
        } else name += sql[i];
      }
      if (names.has(name)) found.add(name);
    }
  }
  return found;
}
