// The --grep pattern as a regular expression, alone in a module so that the CLI's parser can check it
// without loading the stack tree (grep.ts).

/**
 * A pattern as people type it: case-insensitive unless it has a capital letter ("json" finds
 * OrderJsonEncoder; "Json" matches exactly as the flame graph's search does).
 */
export function grepPattern(pattern: string): RegExp {
  return new RegExp(pattern, /\p{Lu}/u.test(pattern) ? "" : "i");
}
