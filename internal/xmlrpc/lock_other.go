//go:build !unix

package xmlrpc

import "os"

// lockFile is a no-op where flock does not exist.
func lockFile(*os.File, bool) error { return nil }

const oNoFollow = 0
