package promote

import (
	"context"
	"io"
	"sort"

	"github.com/osg-htc/osg-build-go/internal/cmdutil"
	"github.com/osg-htc/osg-build-go/internal/promote"
	"github.com/osg-htc/osg-build-go/internal/sign"
	"github.com/osg-htc/osg-build-go/pkg/koji"
)

// loadKeys reads signing_keys.ini: built in, the user's, --signing-keys.
func loadKeys(getenv func(string) string, files []string) (map[string]*sign.Key, map[string]*promote.Key, error) {
	ks, err := sign.LoadKeysEnv(getenv, files...)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string]*promote.Key, len(ks))
	for name, k := range ks {
		out[name] = &promote.Key{Name: k.Name, KeyID: k.KeyID, Dvers: k.Dvers}
	}
	return ks, out, nil
}

// gpgSigner is promote.Signer with gpg's keyring and osg-sign's flow
// (sign.SignBuild).
type gpgSigner struct {
	h    koji.Hub
	gpg  *sign.GPG
	keys map[string]*sign.Key
	log  io.Writer
	// ids caches the signing key ids by key id
	ids map[string][]string
}

func newGPGSigner(h koji.Hub, g *sign.GPG, keys map[string]*sign.Key, log io.Writer) *gpgSigner {
	if g == nil {
		g = &sign.GPG{}
	}
	return &gpgSigner{h: h, gpg: g, keys: keys, log: log, ids: map[string][]string{}}
}

// KeyIDs are the key's id and those of its signing subkeys, when gpg has
// the public key (rpm may sign with a subkey).
func (s *gpgSigner) KeyIDs(ctx context.Context, k *promote.Key) []string {
	if ids, ok := s.ids[k.KeyID]; ok {
		return ids
	}
	var ids []string
	if s.gpg.HavePublicKey(ctx, k.KeyID) {
		ids, _ = s.gpg.SigningKeyIDs(ctx, k.KeyID)
	}
	s.ids[k.KeyID] = ids
	return ids
}

func (s *gpgSigner) CanSign(ctx context.Context, k *promote.Key) bool {
	return s.gpg.HaveSecretKey(ctx, k.KeyID)
}

func (s *gpgSigner) Sign(ctx context.Context, nvr string, k *promote.Key) error {
	key := s.keys[k.Name]
	if key == nil {
		key = &sign.Key{Name: k.Name, KeyID: k.KeyID, Dvers: k.Dvers}
	}
	// planning reads anonymously; signing writes (addRPMSig needs the
	// sign permission)
	if err := cmdutil.EnsureLogin(ctx, s.h); err != nil {
		return err
	}
	_, err := sign.SignBuild(ctx, s.h, nvr, key, sign.SignOptions{GPG: s.gpg, Out: s.log})
	return err
}

func sortStrings(l []string) { sort.Strings(l) }
