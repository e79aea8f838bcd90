package rpm

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// Signature tags of the signature header (rpmtag.h's RPMSIGTAG_*): the
// OpenPGP signatures rpm writes. DSA and RSA sign the main header alone;
// PGP and GPG the header and the payload (rpm's "v3" signatures). rpm 6
// writes its signatures as OPENPGP, a string array.
const (
	SigTagDSA     Tag = 267
	SigTagRSA     Tag = 268
	SigTagOpenPGP Tag = 278
	SigTagPGP     Tag = 1002
	SigTagGPG     Tag = 1005
)

// sigTagOrder is the order in which Koji's add_rpm_sig and get_sighdr_key
// look for the signature that names the key.
var sigTagOrder = []Tag{SigTagGPG, SigTagPGP, SigTagDSA, SigTagRSA}

// SigHeaderSize returns the size of the signature header structure (its
// intro, index and data, padded to a multiple of 8 as in an RPM file) whose
// first 16 bytes are intro, checking its magic and its bounds.
func SigHeaderSize(intro16 []byte) (int, error) {
	if len(intro16) < 16 {
		return 0, errors.New("signature header truncated")
	}
	n, size, err := intro(intro16)
	if err != nil {
		return 0, err
	}
	length := 16 + int(n)*16 + int(size)
	return length + pad8(length), nil
}

// ReadSigHeader reads the lead and the signature header of an RPM from r
// and returns the signature header's bytes exactly as Koji's
// koji.rip_rpm_sighdr does: from offset 96, 16+16*il+dl bytes padded to a
// multiple of 8. r is left at the main header.
func ReadSigHeader(r io.Reader) ([]byte, error) {
	lead := make([]byte, leadSize+16)
	if _, err := io.ReadFull(r, lead); err != nil {
		return nil, fmt.Errorf("file too short for an RPM: %w", noEOF(err))
	}
	if binary.BigEndian.Uint32(lead) != leadMagic {
		return nil, errors.New("not an RPM file (bad lead magic)")
	}
	size, err := SigHeaderSize(lead[leadSize:])
	if err != nil {
		return nil, fmt.Errorf("signature header: %w", err)
	}
	buf := append(make([]byte, 0, min(size, 1<<20)), lead[leadSize:]...)
	return readMore(r, buf, size-16)
}

// RipSigHeader returns the signature header of the RPM file at path, as
// ReadSigHeader (Koji's koji.rip_rpm_sighdr).
func RipSigHeader(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := ReadSigHeader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// SigHeader is a signature header parsed on its own, as the hub's
// addRPMSig receives it.
type SigHeader struct {
	*Header
	// SigMD5 is the hex MD5 of the main header and the payload (tag 1004,
	// Koji's payloadhash); "" when the header has none.
	SigMD5 string
	// SigTag is the tag the signature was taken from: the first present of
	// GPG, PGP, DSA and RSA, as Koji looks for them; 0 when unsigned.
	SigTag Tag
	// Signature is the OpenPGP signature packet of SigTag, nil when
	// unsigned.
	Signature []byte
}

// ParseSigHeader parses raw, the bytes of a signature header alone (what
// RipSigHeader returns). raw must be exactly the header's padded size: a
// header of another size would make a broken RPM when spliced into one.
// The header keeps slices of raw.
func ParseSigHeader(raw []byte) (*SigHeader, error) {
	size, err := SigHeaderSize(raw)
	if err != nil {
		return nil, fmt.Errorf("signature header: %w", err)
	}
	if len(raw) != size {
		return nil, fmt.Errorf("signature header: %d bytes, but its index and data make %d with the padding", len(raw), size)
	}
	h, _, err := parseHeader(raw, 0)
	if err != nil {
		return nil, fmt.Errorf("signature header: %w", err)
	}
	s := &SigHeader{Header: h, SigMD5: hex.EncodeToString(h.Bytes(SigTagMD5))}
	for _, tag := range sigTagOrder {
		if b := h.Bytes(tag); len(b) > 0 {
			s.SigTag, s.Signature = tag, b
			break
		}
	}
	return s, nil
}

// KeyID returns the OpenPGP key id (8 lowercase hex digits, Koji's sigkey)
// of the header's signature, "" when the header is unsigned.
func (s *SigHeader) KeyID() (string, error) {
	if s.Signature == nil {
		return "", nil
	}
	id, err := SigPacketKeyID(s.Signature)
	if err != nil {
		return "", fmt.Errorf("signature (tag %d): %w", s.SigTag, err)
	}
	return id, nil
}

// OpenPGP subpacket types that name the signing key.
const (
	subpacketIssuer            = 16
	subpacketIssuerFingerprint = 33
)

// SigPacketKeyID returns the id of the key that made an OpenPGP signature
// packet as Koji's koji.get_sigpacket_key_id does: the last 4 bytes of the
// key id, as 8 lowercase hex digits. A v3 signature holds the key id in its
// body; a v4 one in issuer subpackets (hashed or not). Unlike Koji, a
// signature whose only issuer is an issuer-fingerprint subpacket (as
// OpenPGP allows) is read too, and v6 signatures (RFC 9580, where the key
// id is the start of the fingerprint) are understood. Malformed input is
// an error, never a panic.
func SigPacketKeyID(packet []byte) (string, error) {
	tag, body, err := parsePacketHeader(packet)
	if err != nil {
		return "", err
	}
	if tag != 2 {
		return "", fmt.Errorf("not a signature packet (OpenPGP packet tag %d)", tag)
	}
	if len(body) == 0 {
		return "", errors.New("empty OpenPGP signature packet")
	}
	switch v := body[0]; v {
	case 3:
		// version, hashed length (5), type, time (4), key id (8), ...
		if len(body) < 15 {
			return "", errors.New("OpenPGP v3 signature packet too short")
		}
		return hex.EncodeToString(body[11:15]), nil
	case 4, 6:
		return v4KeyID(body, v == 6)
	default:
		return "", fmt.Errorf("unsupported OpenPGP signature packet version %d", v)
	}
}

// parsePacketHeader parses an OpenPGP packet header (old or new format)
// and returns the packet's tag and body, which must fill the rest of the
// packet exactly.
func parsePacketHeader(p []byte) (tag int, body []byte, err error) {
	if len(p) == 0 {
		return 0, nil, errors.New("empty OpenPGP packet")
	}
	b0 := p[0]
	if b0&0x80 == 0 {
		return 0, nil, errors.New("not an OpenPGP packet")
	}
	var length, off int
	if b0&0x40 == 0 { // old format
		tag = int(b0&0x3c) >> 2
		switch b0 & 3 {
		case 0:
			off = 2
		case 1:
			off = 3
		case 2:
			off = 5
		case 3: // indeterminate: the rest
			return tag, p[1:], nil
		}
		if len(p) < off {
			return 0, nil, errors.New("OpenPGP packet header truncated")
		}
		for _, c := range p[1:off] {
			length = length<<8 | int(c)
		}
	} else { // new format
		tag = int(b0 & 0x3f)
		if len(p) < 2 {
			return 0, nil, errors.New("OpenPGP packet header truncated")
		}
		switch b1 := int(p[1]); {
		case b1 < 192:
			length, off = b1, 2
		case b1 < 224:
			if len(p) < 3 {
				return 0, nil, errors.New("OpenPGP packet header truncated")
			}
			length, off = (b1-192)<<8+int(p[2])+192, 3
		case b1 == 255:
			if len(p) < 6 {
				return 0, nil, errors.New("OpenPGP packet header truncated")
			}
			length, off = int(binary.BigEndian.Uint32(p[2:6])), 6
		default:
			return 0, nil, errors.New("OpenPGP packet with partial body lengths")
		}
	}
	if uint64(len(p)) != uint64(off)+uint64(length) {
		return 0, nil, fmt.Errorf("invalid OpenPGP packet length (%d bytes, the header says %d)", len(p), off+length)
	}
	return tag, p[off:], nil
}

// v4KeyID reads the issuer of a v4 (or, with v6, a v6) signature body
// from its hashed and unhashed subpacket areas.
func v4KeyID(body []byte, v6 bool) (string, error) {
	lenSize := 2
	if v6 {
		lenSize = 4
	}
	rest := body[min(4, len(body)):] // version, type, public-key and hash algorithms
	var ids [][]byte
	for _, area := range []string{"hashed", "unhashed"} {
		if len(rest) < lenSize {
			return "", fmt.Errorf("OpenPGP signature truncated before its %s subpackets", area)
		}
		var n uint64
		for _, c := range rest[:lenSize] {
			n = n<<8 | uint64(c)
		}
		rest = rest[lenSize:]
		if n > uint64(len(rest)) {
			return "", fmt.Errorf("OpenPGP signature's %s subpackets run past the packet", area)
		}
		got, err := subpacketKeyIDs(rest[:n])
		if err != nil {
			return "", fmt.Errorf("OpenPGP signature's %s subpackets: %w", area, err)
		}
		ids = append(ids, got...)
		rest = rest[n:]
	}
	var id []byte
	for _, x := range ids {
		if id != nil && !bytes.Equal(id, x) {
			return "", fmt.Errorf("OpenPGP signature names two issuers (%x and %x)", id, x)
		}
		id = x
	}
	if id == nil {
		return "", errors.New("OpenPGP signature names no issuer key")
	}
	return hex.EncodeToString(id), nil
}

// subpacketKeyIDs returns the last 4 bytes of the key id of every issuer
// and issuer-fingerprint subpacket in subs.
func subpacketKeyIDs(subs []byte) ([][]byte, error) {
	var ids [][]byte
	for len(subs) > 0 {
		var length, off int
		switch b0 := int(subs[0]); {
		case b0 < 192:
			length, off = b0, 1
		case b0 < 255:
			if len(subs) < 2 {
				return nil, errors.New("subpacket length truncated")
			}
			length, off = (b0-192)<<8+int(subs[1])+192, 2
		default:
			if len(subs) < 5 {
				return nil, errors.New("subpacket length truncated")
			}
			n := binary.BigEndian.Uint32(subs[1:5])
			if n > uint32(len(subs)) {
				return nil, errors.New("subpacket runs past its area")
			}
			length, off = int(n), 5
		}
		if length == 0 {
			return nil, errors.New("subpacket without a type")
		}
		if off+length > len(subs) {
			return nil, errors.New("subpacket runs past its area")
		}
		data := subs[off+1 : off+length]
		switch subs[off] & 0x7f { // the high bit marks a critical subpacket
		case subpacketIssuer:
			if len(data) != 8 {
				return nil, fmt.Errorf("issuer subpacket of %d bytes, not 8", len(data))
			}
			ids = append(ids, data[4:])
		case subpacketIssuerFingerprint:
			// A version byte, then the fingerprint: a v4 key's id is the
			// fingerprint's last 8 bytes, a v5 or v6 key's its first 8.
			if len(data) < 1 {
				return nil, errors.New("empty issuer fingerprint subpacket")
			}
			switch fpr := data[1:]; {
			case data[0] == 4 && len(fpr) == 20:
				ids = append(ids, fpr[16:])
			case (data[0] == 5 || data[0] == 6) && len(fpr) == 32:
				ids = append(ids, fpr[4:8])
			default:
				return nil, fmt.Errorf("issuer fingerprint subpacket of version %d and %d bytes", data[0], len(fpr))
			}
		}
		subs = subs[off+length:]
	}
	return ids, nil
}

// Splice copies the RPM read from r to w with sighdr (a raw signature
// header, as RipSigHeader returns) in place of its own, as Koji's
// koji.splice_rpm_sighdr does. sighdr must parse, and its SIGMD5 must be
// the file's: another package's signature would make a broken RPM.
func Splice(w io.Writer, r io.Reader, sighdr []byte) error {
	sh, err := ParseSigHeader(sighdr)
	if err != nil {
		return fmt.Errorf("new %w", err)
	}
	lead := make([]byte, leadSize)
	if _, err := io.ReadFull(r, lead); err != nil {
		return fmt.Errorf("file too short for an RPM: %w", noEOF(err))
	}
	if binary.BigEndian.Uint32(lead) != leadMagic {
		return errors.New("not an RPM file (bad lead magic)")
	}
	old, err := ReadSigHeader(io.MultiReader(bytes.NewReader(lead), r))
	if err != nil {
		return err
	}
	oldh, err := ParseSigHeader(old)
	if err != nil {
		return err
	}
	if oldh.SigMD5 != sh.SigMD5 {
		return fmt.Errorf("the signature header is another package's (its MD5 is %s, the file's %s)", sh.SigMD5, oldh.SigMD5)
	}
	if _, err := w.Write(lead); err != nil {
		return err
	}
	if _, err := w.Write(sighdr); err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

// SpliceFile is Splice from the file src, to w.
func SpliceFile(w io.Writer, src string, sighdr []byte) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := Splice(w, f, sighdr); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	return nil
}
