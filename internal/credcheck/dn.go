package credcheck

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // OpenSSL's subject hash is SHA-1; not a security use
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"crypto/x509/pkix"
)

// shortNames are OpenSSL's short names of the attribute types found in grid
// DNs (what grid-proxy-info and openssl x509 -subject print).
var shortNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "serialNumber",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "street",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "title",
	"2.5.4.17":                   "postalCode",
	"2.5.4.41":                   "name",
	"2.5.4.42":                   "GN",
	"2.5.4.43":                   "initials",
	"2.5.4.46":                   "dnQualifier",
	"2.5.4.65":                   "pseudonym",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
	"1.2.840.113549.1.9.1":       "emailAddress",
}

// OneLine formats a DER-encoded name in OpenSSL's one-line form, the form of
// grid tools and gridmap files: /DC=org/DC=cilogon/C=US/O=.../CN=Name.
// Multi-valued RDNs are joined with '+'.
func OneLine(rawName []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(rawName, &seq); err != nil || len(rest) > 0 {
		return fmt.Sprintf("(unparsable name %x)", rawName)
	}
	var b strings.Builder
	for _, rdn := range seq {
		b.WriteByte('/')
		for i, atv := range rdn {
			if i > 0 {
				b.WriteByte('+')
			}
			name := shortNames[atv.Type.String()]
			if name == "" {
				name = atv.Type.String()
			}
			b.WriteString(name)
			b.WriteByte('=')
			b.WriteString(fmt.Sprint(atv.Value))
		}
	}
	return b.String()
}

// SubjectHash is OpenSSL's X509_NAME_hash (the "new" hash of OpenSSL 1.0
// and later) of a DER-encoded name: the first four bytes, little-endian, of
// the SHA-1 of the name's canonical encoding. CA directories
// (/etc/grid-security/certificates, X509_CERT_DIR) name each CA <hash>.0, so
// the issuer of a certificate is found without reading the directory.
func SubjectHash(rawName []byte) (uint32, error) {
	canon, err := canonicalName(rawName)
	if err != nil {
		return 0, err
	}
	sum := sha1.Sum(canon) //nolint:gosec // see the import
	return binary.LittleEndian.Uint32(sum[:4]), nil
}

// canonicalName is OpenSSL's x509_name_canon: each RDN as a DER SET of its
// attributes, every string value converted to a UTF8String, lowercased
// (ASCII), trimmed and with inner runs of spaces collapsed; the RDNs
// concatenated without the outer SEQUENCE.
func canonicalName(rawName []byte) ([]byte, error) {
	var name asn1.RawValue
	if rest, err := asn1.Unmarshal(rawName, &name); err != nil || len(rest) > 0 || name.Tag != asn1.TagSequence {
		return nil, fmt.Errorf("not a DER name")
	}
	var out []byte
	for rest := name.Bytes; len(rest) > 0; {
		var set asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &set); err != nil || set.Tag != asn1.TagSet {
			return nil, fmt.Errorf("not a DER name")
		}
		var entries [][]byte
		for in := set.Bytes; len(in) > 0; {
			var atv struct {
				Type  asn1.ObjectIdentifier
				Value asn1.RawValue
			}
			if in, err = asn1.Unmarshal(in, &atv); err != nil {
				return nil, fmt.Errorf("not a DER name")
			}
			val := atv.Value.FullBytes
			if s, ok := decodeString(atv.Value); ok {
				val, err = asn1.Marshal(asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(canonString(s))})
				if err != nil {
					return nil, err
				}
			}
			oid, err := asn1.Marshal(atv.Type)
			if err != nil {
				return nil, err
			}
			e, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: append(oid, val...)})
			if err != nil {
				return nil, err
			}
			entries = append(entries, e)
		}
		sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i], entries[j]) < 0 })
		s, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: bytes.Join(entries, nil)})
		if err != nil {
			return nil, err
		}
		out = append(out, s...)
	}
	return out, nil
}

// ASN.1 string tags OpenSSL canonicalizes (ASN1_MASK_CANON).
const (
	tagT61       = 20
	tagVisible   = 26
	tagUniversal = 28
	tagBMP       = 30
)

// decodeString returns the text of a string value of a type OpenSSL
// canonicalizes; ok is false for other types (kept as they are).
func decodeString(v asn1.RawValue) (string, bool) {
	if v.Class != asn1.ClassUniversal {
		return "", false
	}
	switch v.Tag {
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String, tagVisible:
		return string(v.Bytes), true
	case tagT61: // Latin-1, as OpenSSL reads it
		r := make([]rune, len(v.Bytes))
		for i, c := range v.Bytes {
			r[i] = rune(c)
		}
		return string(r), true
	case tagBMP:
		if len(v.Bytes)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(v.Bytes)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(v.Bytes[2*i:])
		}
		return string(utf16.Decode(u)), true
	case tagUniversal:
		if len(v.Bytes)%4 != 0 {
			return "", false
		}
		var b strings.Builder
		for i := 0; i < len(v.Bytes); i += 4 {
			b.WriteRune(rune(binary.BigEndian.Uint32(v.Bytes[i:])))
		}
		return b.String(), true
	}
	return "", false
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// canonString is asn1_string_canon's text rule.
func canonString(s string) string {
	b := []byte(s)
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if isSpace(c) {
			for i+1 < len(b) && isSpace(b[i+1]) {
				i++
			}
			out = append(out, ' ')
			continue
		}
		if c < utf8.RuneSelf && c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}
