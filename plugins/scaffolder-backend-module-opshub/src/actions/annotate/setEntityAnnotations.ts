import type { CompoundEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  type Document,
  isMap,
  isScalar,
  parseAllDocuments,
  stringify,
  type YAMLMap,
} from 'yaml';

/**
 * Sets `metadata.annotations` on the one entity `ref` names in a catalog
 * file (possibly several YAML documents), by editing the source text where
 * the YAML nodes lie: a value already there is replaced in place, a new
 * annotation goes after the last one (the map is created at the end of
 * `metadata` when missing), so comments, order, formatting and every other
 * document stay byte-for-byte. Flow-style maps (`{ a: b }`) are edited
 * through the Document API and that document alone is re-serialized.
 * `changed` is false when every value is already set.
 */
export function setEntityAnnotations(
  source: string,
  ref: CompoundEntityRef,
  annotations: Record<string, string>,
): { text: string; changed: boolean } {
  const documents = parseAllDocuments(source);
  if (!Array.isArray(documents)) return notFound(ref);
  const index = documents.findIndex(doc => describes(doc, ref));
  if (index < 0) return notFound(ref);
  const document = documents[index];
  if (document.errors.length > 0) {
    throw new InputError(
      `The entity's YAML is invalid: ${document.errors[0].message}`,
    );
  }
  const current = document.getIn(['metadata', 'annotations']) as unknown;
  const missing = Object.entries(annotations).filter(
    ([key, value]) => annotationValue(current, key) !== value,
  );
  if (missing.length === 0) return { text: source, changed: false };

  const metadata = document.get('metadata', true);
  const existing = isMap(metadata)
    ? metadata.get('annotations', true)
    : undefined;
  const editable =
    isMap(metadata) &&
    !metadata.flow &&
    (existing === undefined ||
      (isMap(existing) && !existing.flow && existing.items.length > 0));
  const text = editable
    ? editSource(source, metadata, existing as YAMLMap | undefined, missing)
    : reserialize(source, documents, index, missing);
  return { text, changed: true };
}

function notFound(ref: CompoundEntityRef): never {
  throw new NotFoundError(
    `No YAML document in the file describes ${ref.kind}:${ref.namespace}/${ref.name}`,
  );
}

function describes(doc: Document, ref: CompoundEntityRef): boolean {
  const same = (a: unknown, b: string) =>
    typeof a === 'string' &&
    a.toLocaleLowerCase('en-US') === b.toLocaleLowerCase('en-US');
  return (
    same(doc.get('kind'), ref.kind) &&
    same(doc.getIn(['metadata', 'name']), ref.name) &&
    same(doc.getIn(['metadata', 'namespace']) ?? 'default', ref.namespace)
  );
}

function annotationValue(annotations: unknown, key: string): unknown {
  return isMap(annotations) ? annotations.get(key) : undefined;
}

type Edit = { at: number; end: number; text: string };

function editSource(
  source: string,
  metadata: YAMLMap,
  annotations: YAMLMap | undefined,
  changes: Array<[string, string]>,
): string {
  const edits: Edit[] = [];
  const added: string[] = [];
  for (const [key, value] of changes) {
    const pair = annotations?.items.find(
      item => isScalar(item.key) && item.key.value === key,
    );
    if (pair && isScalar(pair.value) && pair.value.range) {
      const [at, end] = pair.value.range;
      edits.push({ at, end, text: scalar(value) });
    } else {
      added.push(`${scalar(key)}: ${scalar(value)}`);
    }
  }
  if (added.length > 0) {
    const target = annotations ?? metadata;
    const indent = indentOf(source, target);
    const lines = annotations
      ? added.map(line => `${indent}${line}`)
      : [`${indent}annotations:`, ...added.map(line => `${indent}  ${line}`)];
    const at = target.range![1];
    const text =
      source[at - 1] === '\n'
        ? `${lines.join('\n')}\n`
        : `\n${lines.join('\n')}`;
    edits.push({ at, end: at, text });
  }
  return edits
    .sort((a, b) => b.at - a.at)
    .reduce(
      (text, edit) => text.slice(0, edit.at) + edit.text + text.slice(edit.end),
      source,
    );
}

/** The indentation of a block map's keys. */
function indentOf(source: string, map: YAMLMap): string {
  const start = map.range![0];
  return source.slice(source.lastIndexOf('\n', start - 1) + 1, start);
}

function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** Re-serializes one document, from the end of the one before it (its leading comments belong to it). */
function reserialize(
  source: string,
  documents: Document[],
  index: number,
  changes: Array<[string, string]>,
): string {
  const document = documents[index];
  for (const [key, value] of changes) {
    document.setIn(['metadata', 'annotations', key], value);
  }
  const start = index === 0 ? 0 : documents[index - 1].range![2];
  const end = document.range![2];
  return (
    source.slice(0, start) +
    document.toString({ lineWidth: 0 }) +
    source.slice(end)
  );
}
