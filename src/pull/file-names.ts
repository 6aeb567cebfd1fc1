/**
 * File and directory names for pulled objects. Any PostgreSQL name must become a safe file name on every
 * filesystem: no separators, no dot files, no device names, and no two names that differ only in case
 * (macOS and Windows fold case). Characters outside `[A-Za-z0-9_-]` are percent-encoded as UTF-8 bytes
 * with upper-case hex; `%` itself is encoded, so the mapping is reversible and never collides.
 */

const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/;

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

const encoder = new TextEncoder();

function encode(name: string, keepUpper: boolean): string {
  let out = '';
  for (const ch of name) {
    const safe = keepUpper ? /^[A-Za-z0-9_-]$/ : /^[a-z0-9_-]$/;
    out += safe.test(ch) ? ch : hex(encoder.encode(ch));
  }
  return out;
}

/** Encodes the first character, so a reserved stem gets a distinct, still reversible spelling. */
function escapeFirst(stem: string, name: string): string {
  const first = String.fromCodePoint(name.codePointAt(0)!);
  return /^[A-Za-z0-9_-]$/.test(first) ? hex(encoder.encode(first)) + stem.slice(1) : stem;
}

/**
 * A file stem for each name, unique even on a case-insensitive filesystem. Names equal up to case have their
 * upper-case letters encoded too; `reserved` stems (e.g. `types`) and device names get their first letter
 * encoded.
 */
export function fileStems(names: readonly string[], reserved: readonly string[] = []): Map<string, string> {
  const groups = new Map<string, number>();
  for (const name of new Set(names)) {
    const folded = encode(name, true).toLowerCase();
    groups.set(folded, (groups.get(folded) ?? 0) + 1);
  }
  const out = new Map<string, string>();
  for (const name of names) {
    const base = encode(name, true);
    let stem = (groups.get(base.toLowerCase()) ?? 0) > 1 ? encode(name, false) : base;
    const folded = stem.toLowerCase();
    if (reserved.includes(folded) || WINDOWS_DEVICES.test(folded)) stem = escapeFirst(stem, name);
    out.set(name, stem);
  }
  return out;
}

/** The name a stem was made from (for messages and tests). */
export function decodeStem(stem: string): string {
  return decodeURIComponent(stem);
}
