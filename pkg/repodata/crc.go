package repodata

// CRC-32 (IEEE) of a concatenation from the CRCs of its parts, so that the
// gzip trailer of a metadata file does not need every reused chunk's open
// content run through the CRC again: each chunk's CRC and length are kept
// with its compressed segment in the cache.
//
// The method is zlib's crc32_combine: CRC(A‖B) = CRC(A)·x^(8·len(B)) +
// CRC(B) over GF(2) modulo the CRC polynomial, in the reflected bit order
// the CRC uses (bit 31 is x^0), with x^(8·n) found by squaring.

const crcPoly = 0xedb88320 // the IEEE polynomial, reflected

// crcMulModP returns a·b modulo the polynomial.
func crcMulModP(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// crcX2n[k] is x^(2^k) modulo the polynomial.
var crcX2n = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	for k := range t {
		t[k] = p
		p = crcMulModP(p, p)
	}
	return t
}()

// crcXPow8n returns x^(8·n) modulo the polynomial.
func crcXPow8n(n int64) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n != 0; n, k = n>>1, k+1 {
		if n&1 != 0 {
			p = crcMulModP(crcX2n[k&31], p)
		}
	}
	return p
}

// crcCombine returns the CRC-32 of A‖B given crcA, the CRC of A, and crcB
// and lenB, the CRC and length of B.
func crcCombine(crcA, crcB uint32, lenB int64) uint32 {
	if lenB <= 0 {
		return crcA
	}
	return crcMulModP(crcXPow8n(lenB), crcA) ^ crcB
}
