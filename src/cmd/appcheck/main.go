// Command appcheck checks a built kubelens package (see package appcheck):
//
//	appcheck [--version V] [--waive check,...] dist/kubelens-V.tgz
//
// It prints one line per check and per problem, and exits 1 when the
// package fails, 2 on bad usage.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/kubelens/kubelens/src/appcheck"
)

func main() {
	fs := flag.NewFlagSet("appcheck", flag.ContinueOnError)
	version := fs.String("version", "", "version app.conf must carry (default: from the package file name)")
	waive := fs.String("waive", "", "comma-separated checks whose failures do not fail the run (checks: "+strings.Join(appcheck.Checks, ", ")+")")
	platform := fs.String("platform", "", "platform folder whose eks_logs runs for --scheme (default: this machine's)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "Usage: appcheck [flags] PACKAGE.tgz|APP_FOLDER")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil || fs.NArg() != 1 {
		if err == nil {
			fs.Usage()
		}
		os.Exit(2)
	}
	opts := appcheck.Options{Version: *version, Platform: *platform}
	for _, w := range strings.Split(*waive, ",") {
		if w = strings.TrimSpace(w); w != "" {
			opts.Waive = append(opts.Waive, w)
		}
	}
	r, err := appcheck.Run(fs.Arg(0), opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	r.Write(os.Stdout)
	if !r.OK() {
		os.Exit(1)
	}
}
