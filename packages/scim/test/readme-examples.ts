// Turns the ```ts blocks of README.md into runnable modules. A statement followed
// by `// => value` (on the same line or the next) becomes an equality check; one
// followed by `// throws CODE` must throw a ScimFilterError (or other library
// error) with that code. Imports of '@scim-console/scim' point at src/index.ts.

export interface ReadmeBlock {
  /** 1-based line of README.md where the block's code starts. */
  readonly line: number;
  readonly code: string;
}

export interface CompiledBlock extends ReadmeBlock {
  readonly module: string;
  readonly checks: number;
}

export function extractTsBlocks(markdown: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = markdown.split('\n');
  let start = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (start < 0 && /^```ts\s*$/.test(line)) start = i + 1;
    else if (start >= 0 && /^```\s*$/.test(line)) {
      blocks.push({ line: start + 1, code: lines.slice(start, i).join('\n') });
      start = -1;
    }
  }
  return blocks;
}

const MARKER = /^(.*?)\s*\/\/ (=>|throws) (.*)$/;

export function compileBlock(block: ReadmeBlock, indexPath: string): CompiledBlock {
  const source = block.code.split('\n');
  const out: string[] = [];
  let checks = 0;
  for (let i = 0; i < source.length; i++) {
    const raw = source[i]!;
    const match = MARKER.exec(raw);
    if (match === null) {
      out.push(raw);
      continue;
    }
    const [, codePart, kind, expected] = match as unknown as [
      string,
      string,
      '=>' | 'throws',
      string,
    ];
    // The statement is this line's code plus the lines above it, back to where its
    // brackets balance and the line before ends a statement.
    const statement: string[] = codePart.trim() !== '' ? [codePart] : [];
    while (out.length > 0) {
      const previous = out[out.length - 1]!.trim();
      const ended = previous === '' || /[;{}]$/.test(previous) || previous.startsWith('//');
      if (statement.length > 0 && bracketBalance(statement.join('\n')) === 0 && ended) break;
      statement.unshift(out.pop()!);
    }
    const expression = statement.join('\n').trim().replace(/;$/, '');
    const at = block.line + i;
    checks++;
    out.push(
      kind === '=>'
        ? `__readme.check(() => (${expression}), () => (${expected}), ${at});`
        : `__readme.throws(() => (${expression}), ${JSON.stringify(expected.trim())}, ${at});`,
    );
  }
  const module = out
    .join('\n')
    .replace(/from '@scim-console\/scim'/g, `from ${JSON.stringify(indexPath)}`);
  return {
    ...block,
    checks,
    module: `const __readme = (globalThis as unknown as { __readme: { check: (a: () => unknown, e: () => unknown, line: number) => void; throws: (f: () => unknown, code: string, line: number) => void } }).__readme;\n${module}\n`,
  };
}

/** Openers minus closers of ( [ {, outside string literals. */
function bracketBalance(code: string): number {
  let balance = 0;
  let quote = '';
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (quote !== '') {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') balance++;
    else if (c === ')' || c === ']' || c === '}') balance--;
  }
  return balance;
}
