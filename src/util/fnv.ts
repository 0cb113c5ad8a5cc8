/** FNV-1a's 32-bit offset basis. */
export const FNV_BASIS = 0x811c9dc5 | 0;

/** One FNV-1a step: `h` with the 16-bit unit `unit` mixed in (as an int32). */
export function fnvStep(h: number, unit: number): number {
  return Math.imul(h ^ unit, 0x01000193);
}

/** 32-bit FNV-1a over the UTF-16 code units of s[from, to), starting from `h` (as an int32). */
export function fnv1a(s: string, from = 0, to = s.length, h = FNV_BASIS): number {
  for (let i = from; i < to; i++) h = fnvStep(h, s.charCodeAt(i));
  return h;
}
