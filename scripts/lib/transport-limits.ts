// The transport's limit, alone in a module so that the CLI's parser can name it without loading the
// decoder (transport.ts loads node:zlib and node:crypto, a few ms of every run's start).

/**
 * What a decoder holds in memory is bounded by these: a forged or runaway log cannot make it allocate more.
 * 256 MiB per file is far beyond a flame graph of a long profile (a 60 s wall profile's html is a few MiB).
 */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
