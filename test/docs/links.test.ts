import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/gateway-process.js';

/** README.md and every docs/*.md: the documents a reader follows links through. */
function documents(): string[] {
  const docs = readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(REPO_ROOT, 'docs', f));
  return [join(REPO_ROOT, 'README.md'), ...docs];
}

/** The text outside fenced code blocks and inline code, where a `[x](y)` is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of withoutCode.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = (m[1] as string).replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1] as string);
  return out;
}

/** What is wrong with the relative links and anchors of a document, one line each. */
function problems(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of prose(text).matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1] as string;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...: not checked here
    const [path = '', anchor] = target.split('#');
    const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    const where = `${relative(REPO_ROOT, file)}: (${target})`;
    if (!resolved.startsWith(REPO_ROOT)) {
      out.push(`${where} leaves the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      out.push(`${where}: ${relative(REPO_ROOT, resolved)} does not exist`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
      out.push(`${where}: an anchor into a file that is not markdown`);
      continue;
    }
    if (!anchors(readFileSync(resolved, 'utf8')).has(anchor)) out.push(`${where}: no heading #${anchor} in ${relative(REPO_ROOT, resolved)}`);
  }
  return out;
}

test('every relative link and anchor in README.md and docs/*.md resolves', () => {
  const found = documents().flatMap(problems);
  assert.deepEqual(found, []);
});

test('anchors follow GitHub\'s rules', () => {
  const a = anchors('# Running sheetlog\n## The gateway\'s session\n### `sheetlog send`\n## 9. MQTT\n## Limits\n## Limits\n```\n# not a heading\n```\n');
  assert.deepEqual([...a], ['running-sheetlog', 'the-gateways-session', 'sheetlog-send', '9-mqtt', 'limits', 'limits-1']);
});
