// Command kubeenrich is the kubelens search command for Splunk, and its
// local replay mode. See package kubeenrich.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kubelens/kubelens/src/kubeenrich"
)

// stopGrace is how long a reply already being written may take to finish
// after SIGTERM or SIGINT, before the process exits anyway: splunkd, which
// cancelled the search, wants the process gone within a second.
const stopGrace = 500 * time.Millisecond

func main() {
	// A closed stdout (a cancelled search) must surface as a write error,
	// not kill the process silently.
	signal.Ignore(syscall.SIGPIPE)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- kubeenrich.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr) }()
	select {
	case code := <-done:
		os.Exit(code)
	case sig := <-sigs:
		// Stop: no reply is started from now on. The main loop may be
		// blocked reading splunkd's pipe, which nothing interrupts, so
		// the exit does not wait for it beyond the grace.
		cancel()
		select {
		case <-done:
		case <-time.After(stopGrace):
		}
		os.Exit(128 + int(sig.(syscall.Signal)))
	}
}
