// Package orphan ends a test server whose starter is gone.
package orphan

import (
	"os"
	"time"
)

// ExitWhenOrphaned exits the process once its parent has died (the kernel then re-parents it), so a test
// run that was interrupted, even by kill -9, leaves no server behind.
func ExitWhenOrphaned() {
	parent := os.Getppid()
	go func() {
		for range time.Tick(500 * time.Millisecond) {
			if os.Getppid() != parent {
				os.Exit(2)
			}
		}
	}()
}
