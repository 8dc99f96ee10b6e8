import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compileBlock, extractTsBlocks } from './readme-examples.ts';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
const indexPath = join(packageRoot, 'src', 'index.ts');
const blocks = extractTsBlocks(readme).map((b) => compileBlock(b, indexPath));
const dir = mkdtempSync(join(tmpdir(), 'scim-readme-'));

(globalThis as unknown as { __readme: unknown }).__readme = {
  check(actual: () => unknown, expected: () => unknown, line: number) {
    expect(actual(), `README.md line ${line}`).toEqual(expected());
  },
  throws(fn: () => unknown, code: string, line: number) {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error, `README.md line ${line} should throw ${code}`).toBeInstanceOf(Error);
    expect((error as { code?: string }).code, `README.md line ${line}`).toBe(code);
  },
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README.md examples', () => {
  it('has examples with assertions in them', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(blocks.reduce((n, b) => n + b.checks, 0)).toBeGreaterThanOrEqual(40);
  });

  it.each(blocks.map((b) => [b.line, b] as const))(
    'block at README.md line %i runs and its // => comments hold',
    async (_line, block) => {
      expect(block.checks).toBeGreaterThan(0);
      const file = join(dir, `block-${block.line}.ts`);
      writeFileSync(file, block.module);
      await import(pathToFileURL(file).href);
    },
  );
});

describe('README example compiler', () => {
  it('turns markers into checks, including multi-line statements', () => {
    const compiled = compileBlock(
      {
        line: 1,
        code: "import { f } from '@scim-console/scim';\nconst a = 1;\nf(\n  a,\n);\n// => 2\ng(); // throws X",
      },
      '/x.ts',
    );
    expect(compiled.checks).toBe(2);
    expect(compiled.module).toContain(
      'import { f } from "/x.ts";\nconst a = 1;\n__readme.check(() => (f(\n  a,\n)), () => (2), 6);',
    );
    expect(compiled.module).toContain('__readme.throws(() => (g()), "X", 7);');
  });
});
