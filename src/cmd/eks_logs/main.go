// Command eks_logs is the kubelens modular input for Amazon EKS
// control-plane logs in CloudWatch Logs. splunkd runs it with --scheme,
// --validate-arguments or no argument; admins run its credentials and
// checkpoint commands (package eksinput); "eks_logs run --config FILE" is
// the standalone service (package eksservice).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/kubelens/kubelens/src/eksinput"
	"github.com/kubelens/kubelens/src/eksservice"
	"golang.org/x/term"
)

func main() {
	// SIGTERM (splunkd stopping the input) and SIGINT cancel ctx: the input
	// finishes the page in hand, saves its checkpoint and exits 0.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	sio := eksinput.IO{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		Terminal: openTerminal(), StdinIsTerminal: term.IsTerminal(int(os.Stdin.Fd())),
	}
	var code int
	if len(os.Args) > 1 && os.Args[1] == "run" {
		code = eksservice.Main(ctx, os.Args[2:], sio)
	} else {
		code = eksinput.Main(ctx, os.Args[1:], sio)
	}
	stop()
	os.Exit(code)
}

// ttyPrompter prompts on the controlling terminal, so prompts work even when
// stdin carries the keys.
type ttyPrompter struct{ tty *os.File }

func openTerminal() eksinput.Terminal {
	if term.IsTerminal(int(os.Stdin.Fd())) {
		return ttyPrompter{tty: os.Stdin}
	}
	// No terminal on stdin (keys piped in): prompt on the controlling one,
	// if any. splunkd's child processes have none, so nothing blocks there.
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil || !term.IsTerminal(int(tty.Fd())) {
		return nil
	}
	return ttyPrompter{tty: tty}
}

func (p ttyPrompter) Prompt(label string) (string, error) {
	fmt.Fprint(os.Stderr, label)
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := p.tty.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				break
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			return "", fmt.Errorf("eks_logs: read from terminal: %w", err)
		}
	}
	return strings.TrimRight(b.String(), "\r"), nil
}

func (p ttyPrompter) PromptSecret(label string) (string, error) {
	fmt.Fprint(os.Stderr, label)
	b, err := term.ReadPassword(int(p.tty.Fd()))
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return "", fmt.Errorf("eks_logs: read from terminal: %w", err)
	}
	return string(b), nil
}
