// Package sign signs builds in a Koji hub as osg-sign does: it downloads
// the RPMs of a build that lack a signature by the key, signs them with
// rpmsign and gpg, and imports the signatures back (addRPMSig, then
// writeSignedRPM). The signing keys come from signing_keys.ini (osg-build's
// file embedded in the binary, the user's file and --signing-keys files).
package sign

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/ini.v1"

	"github.com/osg-htc/osg-build-go/internal/userconfig"
)

// KeysFile is the name of the signing keys file, built in and in the
// user's config directory.
const KeysFile = "signing_keys.ini"

//go:embed signing_keys.ini
var defaultKeys []byte

// Key is a signing key of signing_keys.ini.
type Key struct {
	// Name is the section's name: [key NAME].
	Name string
	// KeyID is the key's short id, 8 lowercase hex digits.
	KeyID string
	// Dvers are the EL versions the key signs for (el8, el9...).
	Dvers []string
	// DigestAlgo is gpg's --digest-algo for the signatures ("" = gpg's
	// default).
	DigestAlgo string
}

func (k *Key) String() string {
	if k.Name == k.KeyID {
		return k.KeyID
	}
	return fmt.Sprintf("%s (%s)", k.Name, k.KeyID)
}

var keyIDRe = regexp.MustCompile(`^[0-9a-fA-F]{8}$`)

// ParseKeys parses a signing_keys.ini file (file names it in errors).
// Sections other than [key NAME] are ignored, as osg-sign ignores them.
func ParseKeys(data []byte, file string) (map[string]*Key, error) {
	f, err := ini.LoadSources(ini.LoadOptions{
		IgnoreInlineComment: true,
		KeyValueDelimiters:  "=:",
		Insensitive:         false,
		InsensitiveKeys:     true,
	}, data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w: fix the file's syntax (INI: [key NAME] sections of key = value lines)", file, err)
	}
	keys := map[string]*Key{}
	var errs []error
	for _, sec := range f.Sections() {
		rest, ok := strings.CutPrefix(sec.Name(), "key ")
		if !ok {
			continue
		}
		name := strings.TrimSpace(rest)
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: [%s]: %s", file, sec.Name(), fmt.Sprintf(format, args...)))
		}
		if name == "" {
			bad("the section names no key: write [key NAME]")
			continue
		}
		k := &Key{Name: name}
		switch id := strings.TrimSpace(sec.Key("keyid").String()); {
		case id == "":
			bad("keyid is missing: give the key's short id (8 hex digits, as gpg --list-keys --keyid-format short shows)")
		case !keyIDRe.MatchString(id):
			bad("keyid %q is not 8 hex digits (the key's short id, such as 1887c61a)", id)
		default:
			k.KeyID = strings.ToLower(id)
		}
		k.Dvers = splitList(sec.Key("dvers").String())
		if len(k.Dvers) == 0 {
			bad("dvers is missing or empty: list the EL versions the key signs for, such as \"el8 el9\"")
		}
		k.DigestAlgo = strings.TrimSpace(sec.Key("digest_algo").String())
		if strings.ContainsAny(k.DigestAlgo, " \t,") {
			bad("digest_algo %q is not one algorithm name (such as sha256)", k.DigestAlgo)
		}
		keys[name] = k
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return keys, nil
}

// splitList splits a comma or whitespace separated list.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// DefaultKeys returns the keys built into the binary (osg-build's
// signing_keys.ini).
func DefaultKeys() map[string]*Key {
	keys, err := ParseKeys(defaultKeys, "the built-in "+KeysFile)
	if err != nil {
		panic(err) // tested
	}
	return keys
}

// UserKeysPath is the user's signing keys file,
// ${XDG_CONFIG_HOME:-~/.config}/osg-build/signing_keys.ini.
func UserKeysPath() string { return userconfig.Path(os.Getenv, KeysFile) }

// LoadKeys returns the built-in keys, with the keys of the user's file
// (when it exists) and of files (which must exist), in that order, added
// or replacing keys of the same name.
func LoadKeys(files ...string) (map[string]*Key, error) {
	return LoadKeysEnv(os.Getenv, files...)
}

// LoadKeysEnv is LoadKeys with the environment (for the user's config
// directory) read through getenv.
func LoadKeysEnv(getenv func(string) string, files ...string) (map[string]*Key, error) {
	keys := DefaultKeys()
	merge := func(data []byte, file string) error {
		more, err := ParseKeys(data, file)
		if err != nil {
			return err
		}
		for n, k := range more {
			keys[n] = k
		}
		return nil
	}
	data, path, err := userconfig.Read(getenv, KeysFile)
	if err != nil {
		return nil, err
	}
	if data != nil {
		if err := merge(data, path); err != nil {
			return nil, err
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read the signing keys: %w", err)
		}
		if err := merge(data, f); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// Sorted returns the keys sorted by name.
func Sorted(keys map[string]*Key) []*Key {
	out := make([]*Key, 0, len(keys))
	for _, k := range keys {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ErrUnknownKey is the error of FindKey for a name or id not in the keys.
var ErrUnknownKey = errors.New("unknown signing key")

// FindKey returns the key named nameOrID, else the key with that key id
// (in any case). A key id that is in no section is a key of its own, named
// by its id, for any dver: signing needs only gpg's key. Anything else is
// ErrUnknownKey.
func FindKey(keys map[string]*Key, nameOrID string) (*Key, error) {
	if k, ok := keys[nameOrID]; ok {
		return k, nil
	}
	id := strings.ToLower(nameOrID)
	for _, k := range Sorted(keys) {
		if k.KeyID == id {
			return k, nil
		}
	}
	if keyIDRe.MatchString(nameOrID) {
		return &Key{Name: id, KeyID: id}, nil
	}
	return nil, fmt.Errorf("%w %q: give a key name or id of `osg-build sign --list-keys`, or add it to %s", ErrUnknownKey, nameOrID, UserKeysPath())
}
