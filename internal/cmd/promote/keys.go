package promote

import (
	"sort"

	"github.com/osg-htc/osg-build-go/internal/promote"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// loadKeys returns the signing keys. Until signing_keys.ini is read
// (internal/sign), no key is known: a route that requires one rejects its
// builds, naming the key (--ignore-signatures promotes them).
func loadKeys(getenv func(string) string, files []string) (map[string]*promote.Key, error) {
	return map[string]*promote.Key{}, nil
}

// newGPGSigner returns nil until internal/sign can check and sign.
func newGPGSigner(h koji.Hub, o *Options) promote.Signer { return nil }

func sortStrings(l []string) { sort.Strings(l) }
