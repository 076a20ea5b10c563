/**
 * SQL for a text that sorts, byte by byte (`collate "C"`), exactly as a path's segments compared one
 * by one ("a/b" before "a-c" and "a b", though "-" and " " come before "/" in code points): each "/"
 * becomes \x01\x01 and each \x01 of a name \x01\x02. The separator then sorts before every character
 * a name can hold (text cannot hold \x00), a name's own \x01 just after it, and every other byte
 * keeps its place, so the first difference between two keys is where the segments first differ.
 * A plain \x01 for "/" would let the name "a\x01b" tie with the path "a/b".
 *
 * The same expression, character for character, in the index (migration 9) and the queries
 * (mets-reads.ts): the planner matches an index expression only to the same expression.
 */
export function folderTreeKey(textSql: string): string {
  return `replace(replace(${textSql}, E'\\x01', E'\\x01\\x02'), '/', E'\\x01\\x01') collate "C"`;
}
