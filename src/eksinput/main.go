package eksinput

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/buildinfo"
	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/kubelens/kubelens/src/modinput"
	"github.com/kubelens/kubelens/src/splunklog"
	"github.com/sirupsen/logrus"
)

// IO is what Main reads and writes; the binary passes the process's own.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Terminal prompts for secrets; nil when there is no terminal.
	Terminal Terminal
	// StdinIsTerminal says the AWS keys are to be prompted for rather than
	// read from stdin.
	StdinIsTerminal bool
}

// Main runs the eks_logs command line and returns the exit code.
//
//	eks_logs                        run mode (config XML on stdin)
//	eks_logs --scheme               print the scheme
//	eks_logs --validate-arguments   validate <items> from stdin
//	eks_logs credentials set|list   manage AWS accounts in storage/passwords
//	eks_logs checkpoint show|reset  inspect or reset a stanza's checkpoint
//	eks_logs --version
//
// ("eks_logs run" is the service: package eksservice.)
func Main(ctx context.Context, args []string, sio IO) int {
	log := splunklog.New(sio.Stderr, logrus.InfoLevel)
	if len(args) == 0 {
		return run(ctx, sio.Stdin, sio.Stdout, log)
	}
	switch strings.ToLower(args[0]) {
	case "--scheme":
		if err := modinput.WriteScheme(sio.Stdout, Scheme()); err != nil {
			log.WithError(err).Fatal("cannot write the scheme")
			return 1
		}
		return 0
	case "--validate-arguments":
		return validate(ctx, sio.Stdin, sio.Stdout, log)
	case "--version", "version":
		fmt.Fprintln(sio.Stdout, SchemeName, buildinfo.Version)
		return 0
	case "credentials":
		return credentialsCmd(ctx, args[1:], sio)
	case "checkpoint":
		return checkpointCmd(args[1:], sio)
	case "-h", "--help", "help":
		fmt.Fprint(sio.Stdout, usage)
		return 0
	}
	// Never the arguments as typed: a mistyped "credentials set" may carry
	// a key and its secret.
	e := log.WithField("command", shownWord(args[0])).WithField("args", len(args))
	if s := suggest(strings.ToLower(args[0]), commands); s != "" {
		e = e.WithField("did_you_mean", s)
	}
	e.Error("Invalid arguments to eks_logs; see eks_logs --help")
	return 1
}

const usage = `eks_logs: the kubelens modular input for EKS control-plane logs in CloudWatch Logs.

splunkd runs it as:
  eks_logs                          run mode: reads the input configuration XML on stdin
  eks_logs --scheme                 prints the scheme
  eks_logs --validate-arguments     validates a stanza (XML on stdin)

The standalone service (ships to HEC, Splunk Cloud Services or stdout):
  eks_logs run --config FILE [--once | --check]
        runs the inputs of a YAML file until SIGTERM; --once pulls what is
        there, delivers it, saves the checkpoints and exits; --check validates
        the file and reaches every sink and log group once. See the README.

Admin commands:
  eks_logs credentials set --account NAME [--splunkd-uri URI]
        stores an AWS access key for aws_account = NAME in splunkd's storage/passwords.
        The key ID and secret are read from stdin (two lines) or prompted for.
        splunkd authentication: $SPLUNK_TOKEN (an authentication token), else a
        prompted username (or --username) and password.
  eks_logs credentials list [--splunkd-uri URI]
        lists the stored account names (never the keys).
  eks_logs checkpoint show  --stanza NAME [--checkpoint-dir DIR]
  eks_logs checkpoint reset --stanza NAME [--checkpoint-dir DIR]
        shows, or moves aside (never deletes), a stanza's checkpoint; disable
        the input before a reset. DIR defaults to
        $SPLUNK_HOME/var/lib/splunk/modinputs/eks_logs; for the service, it is
        the file's checkpoint_dir and NAME an input's name.
  eks_logs --version
`

// validate is --validate-arguments: the same eksconf.ParseStanza as run mode, plus
// a check that aws_account exists when splunkd gave us a session key.
func validate(ctx context.Context, stdin io.Reader, stdout io.Writer, log *logrus.Logger) int {
	items, err := modinput.ParseItems(stdin)
	if err != nil {
		log.WithError(err).Error("cannot read the validation request from stdin")
		modinput.WriteValidationError(stdout, "eks_logs could not read the validation request: "+err.Error())
		return 1
	}
	cfg, err := eksconf.ParseStanza(items.Item, time.Now())
	if err = errors.Join(append([]error{err}, eksconf.StrictChecks(items.Item)...)...); err != nil {
		modinput.WriteValidationError(stdout, oneLine(err))
		return 1
	}
	if cfg.AWSAccount != "" && items.SessionKey != "" && items.ServerURI != "" {
		vctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if _, _, err := readAccount(vctx, items.ServerURI, items.SessionKey, cfg.AWSAccount); err != nil {
			modinput.WriteValidationError(stdout, err.Error())
			return 1
		}
	}
	return 0
}

// oneLine joins errors.Join's lines with "; " for splunkd's message box.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
