// Command eks_logs is the kubelens modular input for EKS control-plane logs.
//
// Until the modular-input issue lands it only reports its version: it does
// not pull anything, and says so.
package main

import (
	"fmt"
	"os"

	"github.com/kubelens/kubelens/src/buildinfo"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--version" {
		fmt.Println("eks_logs", buildinfo.Version)
		return
	}
	fmt.Fprintln(os.Stderr, "ERROR eks_logs: the modular input is not implemented yet")
	os.Exit(1)
}
