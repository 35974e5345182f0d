// The house rule "one owner per table" as a lint rule: a feature (a folder of src/) reaches another
// feature's data only through that feature's exported services, never its repositories or its
// entities. A type-only import of an entity (`import type { CallRole } ...`) is allowed: types do not
// reach the database. Folders that are not features (common, config, database, types) may be
// imported by anyone and import no feature's repository or entity either.
import path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '..', 'src');

/** The feature folder a file of src/ belongs to, or null outside src/ or at its top (app.module.ts, entities.ts). */
function featureOf(file) {
  const relative = path.relative(SRC, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  const parts = relative.split(path.sep);
  return parts.length > 1 ? parts[0] : null;
}

/** What kind of private file an import names: a repository, an entity, or neither. */
function privateKind(target) {
  const base = path.basename(target);
  if (base.endsWith('.repository') || base.endsWith('.repository.ts')) return 'repository';
  if (target.split(path.sep).includes('entities')) return 'entity';
  return null;
}

/** True when no binding of the import reaches run time (`import type`, or every specifier `type`). */
function typeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: "A feature may not import another feature's repositories or entities (only its module and exported services, DTOs and types)." },
    messages: {
      repository: "'{{source}}' is the {{owner}} feature's repository: ask the {{owner}} feature's exported service instead (docs/architecture.md).",
      entity: "'{{source}}' is the {{owner}} feature's entity: ask the {{owner}} feature's exported service, or import only its types (`import type`) (docs/architecture.md).",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = featureOf(file);
    if (from === null) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source);
      const owner = featureOf(target);
      if (owner === null || owner === from) return;
      const kind = privateKind(target);
      if (kind === null || (kind === 'entity' && typeOnly(node))) return;
      context.report({ node: node.source, messageId: kind, data: { source, owner } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

export default { rules: { 'no-foreign-data': rule } };
