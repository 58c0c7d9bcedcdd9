// Command apppack stages the kubelens app and writes its package (see
// package apppack); "make package" runs it after cross-compiling.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/kubelens/kubelens/src/apppack"
)

func main() {
	cfg := apppack.Config{}
	flag.StringVar(&cfg.Root, "root", ".", "repository root")
	flag.StringVar(&cfg.BinDir, "bin", "build/bin", "folder of the builds, <platform>/bin/<binary>")
	flag.StringVar(&cfg.Stage, "stage", "build/kubelens", "staging folder (replaced)")
	flag.StringVar(&cfg.Version, "version", "", "app version, Major.Minor.Revision")
	flag.StringVar(&cfg.ModCache, "modcache", "", "Go module cache, for the licences (go env GOMODCACHE)")
	out := flag.String("out", "", "package to write, e.g. dist/kubelens-1.2.3.tgz")
	flag.Parse()
	if cfg.Version == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := apppack.Stage(cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := apppack.Archive(cfg.Stage, *out, apppack.Epoch()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
