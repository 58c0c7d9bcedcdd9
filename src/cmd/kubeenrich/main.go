// Command kubeenrich is the kubelens search command for Splunk, and its
// local replay mode. See package kubeenrich.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kubelens/kubelens/src/kubeenrich"
)

func main() {
	// A closed stdout (a cancelled search) must surface as a write error,
	// not kill the process silently.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := kubeenrich.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
