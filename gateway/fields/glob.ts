/** A glob of `*` and `?` as an anchored regular expression (pure; other characters match themselves). */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const ch of glob) source += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`^${source}$`);
}
