// Command kubebench generates the streams make bench measures and runs
// the measurements. See package benchrun.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kubelens/kubelens/src/benchrun"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := benchrun.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
