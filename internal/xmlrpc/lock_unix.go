//go:build unix

package xmlrpc

import (
	"os"
	"syscall"
)

// lockFile takes a non-blocking flock on f (exclusive or shared).
func lockFile(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	return syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
}

const oNoFollow = syscall.O_NOFOLLOW
