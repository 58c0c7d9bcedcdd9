// Command passthrough is the baseline make bench measures kubeenrich
// against. See package passthrough.
package main

import (
	"fmt"
	"os"

	"github.com/kubelens/kubelens/src/passthrough"
)

func main() {
	if err := passthrough.Run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
