// A helper's stdout as events: JSON.parse, not the product's parser, so every line must be a JSON object.
export const jsonLines = (stdout: string): any[] =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
