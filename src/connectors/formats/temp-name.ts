/** Unique names for the temporary tables a connector uses while loading one batch. */
let counter = 0;

export function tempName(purpose: string): string {
  counter += 1;
  return `__eddy_${purpose}_${process.pid}_${counter}`;
}
