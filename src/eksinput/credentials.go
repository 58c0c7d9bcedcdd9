package eksinput

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/kubelens/kubelens/src/splunkd"
	"github.com/kubelens/kubelens/src/splunklog"
	"github.com/sirupsen/logrus"
)

// Terminal prompts a person.
type Terminal interface {
	// Prompt reads a line, echoed.
	Prompt(label string) (string, error)
	// PromptSecret reads a line without echo.
	PromptSecret(label string) (string, error)
}

// DefaultSplunkdURI is splunkd's management port on the local host.
const DefaultSplunkdURI = "https://127.0.0.1:8089"

// KeyIDPattern is what an AWS access key ID looks like (AKIA..., ASIA...).
const KeyIDPattern = `^[A-Z0-9]{16,128}$`

var keyIDRE = regexp.MustCompile(KeyIDPattern)

func credentialsCmd(ctx context.Context, args []string, sio IO) int {
	log := splunklog.New(sio.Stderr, logrus.InfoLevel)
	if len(args) == 0 {
		log.Error("usage: eks_logs credentials set --account NAME | eks_logs credentials list")
		return 2
	}
	fs := flag.NewFlagSet("credentials", flag.ContinueOnError)
	uri := fs.String("splunkd-uri", DefaultSplunkdURI, "splunkd management URI")
	user := fs.String("username", "", "Splunk username to log in with when $SPLUNK_TOKEN is not set (the password is prompted for)")
	caFile := fs.String("ca-file", "", "PEM file of the CA that signed splunkd's certificate")
	account := fs.String("account", "", "account name, the value of aws_account in the stanza")
	if code, ok := ParseFlags(fs, args[1:], sio.Stderr, log); !ok {
		return code
	}
	if fs.NArg() != 0 {
		// The extra arguments are not echoed: someone may have typed a secret there.
		log.WithField("count", fs.NArg()).Error("unexpected arguments: keys and passwords are never taken from the command line (pipe them on stdin or answer the prompts)")
		return 2
	}
	switch args[0] {
	case "set":
		if p, _ := eksconf.Lookup("aws_account"); p.Check(*account) != nil {
			// The value is not shown: it may be a key pasted in the wrong place.
			log.Error("--account is required: letters, digits, '.', '_', '@' and '-' (up to 128)")
			return 2
		}
		keyID, secret, err := readKeys(sio)
		if err != nil {
			log.WithError(err).Error("cannot read the AWS keys")
			return 1
		}
		c, err := splunkdClient(ctx, *uri, *user, *caFile, sio)
		if err != nil {
			log.WithError(err).Error("cannot authenticate to splunkd")
			return 1
		}
		b, _ := json.Marshal(accountSecret{KeyID: keyID, SecretKey: secret})
		created, err := c.SetPassword(ctx, CredentialApp, CredentialRealm, *account, string(b))
		if err != nil {
			log.WithError(err).Error("cannot store the account")
			return 1
		}
		verb := "updated"
		if created {
			verb = "created"
		}
		fmt.Fprintf(sio.Stdout, "AWS account %q %s in storage/passwords (app %s, realm %s)\n", *account, verb, CredentialApp, CredentialRealm)
		return 0
	case "list":
		c, err := splunkdClient(ctx, *uri, *user, *caFile, sio)
		if err != nil {
			log.WithError(err).Error("cannot authenticate to splunkd")
			return 1
		}
		names, err := c.ListPasswords(ctx, CredentialApp, CredentialRealm)
		if err != nil {
			log.WithError(err).Error("cannot list the accounts")
			return 1
		}
		for _, n := range names {
			fmt.Fprintln(sio.Stdout, n)
		}
		if len(names) == 0 {
			log.Info("no AWS account stored yet")
		}
		return 0
	}
	log.WithField("command", shownWord(args[0])).Error("unknown credentials command (want set or list)")
	return 2
}

// readKeys takes the key ID and secret from a prompt when stdin is a
// terminal, else from the first two non-empty lines of stdin: never from
// argv, where every user of the host could read them.
func readKeys(sio IO) (keyID, secret string, err error) {
	if sio.Terminal != nil && sio.StdinIsTerminal {
		if keyID, err = sio.Terminal.Prompt("AWS access key ID: "); err != nil {
			return "", "", err
		}
		if secret, err = sio.Terminal.PromptSecret("AWS secret access key: "); err != nil {
			return "", "", err
		}
	} else {
		var lines []string
		sc := bufio.NewScanner(io.LimitReader(sio.Stdin, 64<<10))
		for sc.Scan() && len(lines) < 2 {
			if l := strings.TrimSpace(sc.Text()); l != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) < 2 {
			return "", "", errors.New("stdin must hold the access key ID and the secret access key on two lines")
		}
		keyID, secret = lines[0], lines[1]
	}
	keyID, secret = strings.TrimSpace(keyID), strings.TrimSpace(secret)
	if !keyIDRE.MatchString(keyID) {
		return "", "", errors.New("the access key ID must be 16 to 128 upper-case letters and digits (e.g. AKIA...)")
	}
	if secret == "" || strings.ContainsAny(secret, " \t") {
		return "", "", errors.New("the secret access key is empty or contains spaces")
	}
	return keyID, secret, nil
}

// splunkdClient authenticates with $SPLUNK_TOKEN, else by logging in with
// a prompted username and password.
func splunkdClient(ctx context.Context, uri, user, caFile string, sio IO) (*splunkd.Client, error) {
	opts := splunkd.Options{CAFile: caFile}
	if tok := sio.Getenv("SPLUNK_TOKEN"); tok != "" {
		return splunkd.NewWithToken(uri, tok, opts)
	}
	if sio.Terminal == nil {
		return nil, errors.New("set SPLUNK_TOKEN to a Splunk authentication token, or run in a terminal to be asked for a username and password")
	}
	if user == "" {
		u, err := sio.Terminal.Prompt("Splunk username: ")
		if err != nil {
			return nil, err
		}
		user = strings.TrimSpace(u)
	}
	pw, err := sio.Terminal.PromptSecret("Splunk password for " + user + ": ")
	if err != nil {
		return nil, err
	}
	return splunkd.Login(ctx, uri, user, pw, opts)
}
