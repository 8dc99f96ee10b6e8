/**
 * A small Dockerfile reader for the image checks: instructions with their
 * arguments and line numbers, grouped into build stages, plus .dockerignore
 * matching. Enough for linting our own files, not a full BuildKit frontend
 * (no variable expansion, heredocs or escape directive).
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  /** Arguments as written, continuation lines joined with a space. */
  args: string;
  line: number;
}

export interface Stage {
  /** The image or earlier stage in FROM. */
  from: string;
  name?: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  let buffer = '';
  let startLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    // Comment lines are dropped, also inside a continued instruction (Docker does the same).
    if (trimmed.startsWith('#') || (trimmed === '' && buffer === '')) continue;
    if (buffer === '') startLine = i + 1;
    const continued = trimmed.endsWith('\\');
    buffer += (buffer ? ' ' : '') + (continued ? trimmed.slice(0, -1).trim() : trimmed);
    if (continued) continue;
    const match = /^(\S+)\s*(.*)$/.exec(buffer);
    if (match) out.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line: startLine });
    buffer = '';
  }
  if (buffer) throw new Error(`Dockerfile ends inside a continued instruction (line ${startLine})`);
  return out;
}

export function stages(instructions: Instruction[]): Stage[] {
  const result: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      const asIndex = parts.findIndex((p) => p.toUpperCase() === 'AS');
      result.push({
        from: parts[0]!,
        name: asIndex > 0 ? parts[asIndex + 1] : undefined,
        instructions: [],
      });
    } else {
      const current = result.at(-1);
      if (!current) {
        if (ins.keyword === 'ARG') continue; // ARG before the first FROM is allowed
        throw new Error(`${ins.keyword} before FROM (line ${ins.line})`);
      }
      current.instructions.push(ins);
    }
  }
  return result;
}

export function readDockerfile(path: string): { instructions: Instruction[]; stages: Stage[] } {
  const instructions = parseDockerfile(readFileSync(path, 'utf8'));
  return { instructions, stages: stages(instructions) };
}

/** JSON-array (exec) form of CMD/ENTRYPOINT/HEALTHCHECK CMD, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  const text = args.trim();
  if (!text.startsWith('[')) return undefined;
  return JSON.parse(text) as string[];
}

/** ENV in `KEY=value KEY2="value 2"` form (the legacy `ENV KEY value` form is not used here). */
export function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (const m of args.matchAll(re)) {
    const value = m[2]!;
    env[m[1]!] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
  }
  return env;
}

/**
 * .dockerignore semantics for the patterns we use: `**` any depth, `*` within a
 * segment, a pattern also excludes everything below a matched directory, `!`
 * re-includes, the last matching line wins.
 */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const source = pattern
        .split('/')
        .map((seg) =>
          seg === '**'
            ? '(?:.*/)?'
            : `${seg
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]')}/`,
        )
        .join('');
      return { negate, re: new RegExp(`^${source}`) };
    });
  return (path: string) => {
    const subject = `${path.replace(/^\.?\/+|\/+$/g, '')}/`;
    let ignored = false;
    for (const rule of rules) if (rule.re.test(subject)) ignored = !rule.negate;
    return ignored;
  };
}
