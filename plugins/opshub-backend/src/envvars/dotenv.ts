import { valueProblem, VAR_NAME_PATTERN } from './envVarInput';

export interface DotenvEntry {
  line: number;
  name: string;
  value: string;
}

export interface DotenvError {
  line: number;
  name: string;
  reason: string;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '"': '"',
  '\\': '\\',
  $: '$',
};

/**
 * Parses a `.env` file: `NAME=value` lines, optionally `export NAME=value`;
 * blank lines and `#` comments are skipped. A value is bare (trimmed, a
 * ` #` starts a comment), single-quoted (literal) or double-quoted (with
 * `\n`, `\r`, `\t`, `\"`, `\\` and `\$` escapes). Errors name the line and
 * the variable, never the value.
 */
export function parseDotenv(text: string): {
  entries: DotenvEntry[];
  errors: DotenvError[];
} {
  const entries: DotenvEntry[] = [];
  const errors: DotenvError[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const body = trimmed.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    if (eq < 0) {
      const name = /^[A-Za-z0-9_]{1,256}$/.test(body) ? body : '';
      errors.push({ line, name, reason: 'expected NAME=value' });
      return;
    }
    const rawName = body.slice(0, eq).trim();
    const name = rawName.length <= 256 ? rawName : `${rawName.slice(0, 32)}…`;
    if (!VAR_NAME_PATTERN.test(rawName)) {
      errors.push({
        line,
        name,
        reason: 'name must match ^[A-Z_][A-Z0-9_]{0,255}$',
      });
      return;
    }
    const value = parseValue(body.slice(eq + 1));
    if (value === undefined) {
      errors.push({ line, name, reason: 'unterminated quoted value' });
      return;
    }
    const problem = valueProblem(value);
    if (problem) {
      errors.push({ line, name, reason: problem });
      return;
    }
    const first = seen.get(name);
    if (first !== undefined) {
      errors.push({ line, name, reason: `already set on line ${first}` });
      return;
    }
    seen.set(name, line);
    entries.push({ line, name, value });
  });
  return { entries, errors };
}

function parseValue(rest: string): string | undefined {
  const text = rest.trim();
  if (text.startsWith("'")) {
    const end = text.indexOf("'", 1);
    if (end < 0 || !isComment(text.slice(end + 1))) return undefined;
    return text.slice(1, end);
  }
  if (text.startsWith('"')) {
    let out = '';
    for (let i = 1; i < text.length; i++) {
      const c = text[i];
      if (c === '\\' && i + 1 < text.length) {
        const next = text[i + 1];
        out += ESCAPES[next] ?? `\\${next}`;
        i++;
      } else if (c === '"') {
        return isComment(text.slice(i + 1)) ? out : undefined;
      } else {
        out += c;
      }
    }
    return undefined;
  }
  const comment = text.search(/\s#/);
  return (comment >= 0 ? text.slice(0, comment) : text).trim();
}

function isComment(after: string): boolean {
  const t = after.trim();
  return t === '' || t.startsWith('#');
}

/** A value as a `.env` line writes it; parseDotenv reads it back exactly. */
export function formatDotenvValue(value: string): string {
  if (/^[A-Za-z0-9_./:@+,=-]*$/.test(value)) return value;
  const escapes: Record<string, string> = {
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
  };
  return `"${value.replace(/[\\"$\n\r\t]/g, c => escapes[c] ?? `\\${c}`)}"`;
}

/** A `.env` file: sensitive variables as comments without their values. */
export function formatDotenv(
  items: Array<{ name: string; value?: string; sensitive: boolean }>,
  header: string[] = [],
): string {
  const lines = header.map(h => `# ${h}`);
  for (const item of items) {
    lines.push(
      item.sensitive || item.value === undefined
        ? `# ${item.name} (sensitive, not exported)`
        : `${item.name}=${formatDotenvValue(item.value)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
