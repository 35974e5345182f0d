import { createHash } from 'node:crypto';

/**
 * A HyperLogLog sketch of distinct members: a fixed-size byte array from which the number of
 * distinct members added can be estimated, and which merges with others (a week is the merge of
 * its days) without holding a single member id.
 *
 * 2^P registers of 4 bits, packed two to a byte. Each member id is hashed (SHA-256, first 8
 * bytes); the top P bits pick a register, and the register keeps the highest "rank" seen: one
 * plus the number of leading zeros in the next Q bits (Q + 1 when they are all zero), so ranks
 * run 0..15 and fit 4 bits. The estimate is Ertl's improved raw estimator ("New cardinality
 * estimation algorithms for HyperLogLog sketches", 2017), which needs no bias tables and no
 * switch to linear counting. Standard error about 1.04 / sqrt(2^P): 1.15% at P = 13 (4 KB), so estimates at 10,000 members
 * fall within 2%; 1 KB (P = 11 at 4 bits) would give 2.3%, too coarse for that.
 */
export const HLL_PRECISION = 13;
const REGISTERS = 1 << HLL_PRECISION;
const Q = 14;
/** Bytes of one sketch. */
export const HLL_BYTES = REGISTERS / 2;

export class HyperLogLog {
  private constructor(private readonly bytes: Buffer) {}

  static empty(): HyperLogLog {
    return new HyperLogLog(Buffer.alloc(HLL_BYTES));
  }

  /** A sketch stored before; a value of the wrong size (or none) is an empty sketch. */
  static from(stored: Buffer | Uint8Array | null | undefined): HyperLogLog {
    if (!stored || stored.length !== HLL_BYTES) return HyperLogLog.empty();
    return new HyperLogLog(Buffer.from(stored));
  }

  toBuffer(): Buffer {
    return Buffer.from(this.bytes);
  }

  add(memberId: number): this {
    const hash = createHash('sha256').update(`ikoota-member:${memberId}`).digest().readBigUInt64BE(0);
    const index = Number(hash >> BigInt(64 - HLL_PRECISION));
    const rest = Number((hash >> BigInt(64 - HLL_PRECISION - Q)) & BigInt((1 << Q) - 1));
    const rank = rest === 0 ? Q + 1 : Q - Math.floor(Math.log2(rest));
    if (rank > this.register(index)) this.setRegister(index, rank);
    return this;
  }

  /** Adds everything another sketch has seen (the register-wise maximum). */
  merge(other: HyperLogLog): this {
    // Byte by byte: both registers of a byte at once (reports merge hundreds of sketches).
    const mine = this.bytes;
    const theirs = other.bytes;
    for (let i = 0; i < HLL_BYTES; i += 1) {
      const a = mine[i];
      const b = theirs[i];
      if (a === b) continue;
      mine[i] = Math.max(a & 0x0f, b & 0x0f) | (Math.max(a >> 4, b >> 4) << 4);
    }
    return this;
  }

  /** The estimated number of distinct members added, rounded. */
  count(): number {
    const histogram = new Array<number>(Q + 2).fill(0);
    for (let i = 0; i < HLL_BYTES; i += 1) {
      const byte = this.bytes[i];
      histogram[byte & 0x0f] += 1;
      histogram[byte >> 4] += 1;
    }
    if (histogram[0] === REGISTERS) return 0;
    let z = REGISTERS * tau(1 - histogram[Q + 1] / REGISTERS);
    for (let k = Q; k >= 1; k -= 1) z = 0.5 * (z + histogram[k]);
    z += REGISTERS * sigma(histogram[0] / REGISTERS);
    return Math.round(REGISTERS * REGISTERS / (2 * Math.LN2) / z);
  }

  private register(index: number): number {
    const byte = this.bytes[index >> 1];
    return index & 1 ? byte >> 4 : byte & 0x0f;
  }

  private setRegister(index: number, value: number): void {
    const at = index >> 1;
    this.bytes[at] = index & 1 ? (this.bytes[at] & 0x0f) | (value << 4) : (this.bytes[at] & 0xf0) | value;
  }
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const previous = z;
    z += x * y;
    y += y;
    if (z === previous) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === previous) return z / 3;
  }
}
