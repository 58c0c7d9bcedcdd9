package eksinput

import (
	"errors"
	"flag"
	"io"
	"regexp"
	"strings"

	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/sirupsen/logrus"
)

// Command lines are never logged as they were typed: an admin who mistypes
// a command or a flag may have put an access key, a secret or a token on
// the same line. What the messages show of an argument is at most a word
// that reads as a command or a flag name.

// wordRE is what an argument may be to be shown: lower-case letters and
// dashes, up to 32 (a command or a flag name; never a key ID, which is
// upper-case and digits, nor a secret or a token, which hold digits or
// other characters).
var wordRE = regexp.MustCompile(`^-{0,2}[a-z][a-z-]{0,31}$`)

// shownWord returns arg if it reads as a command or flag word, else a
// placeholder.
func shownWord(arg string) string {
	if wordRE.MatchString(arg) {
		return arg
	}
	return "(not shown)"
}

// commands are the first arguments Main knows, for suggestions.
var commands = []string{"--scheme", "--validate-arguments", "--version", "--help", "run", "credentials", "checkpoint", "version", "help"}

// suggest returns a known command close to arg ("credential" for
// "credentials"), or "".
func suggest(arg string, known []string) string {
	if !wordRE.MatchString(arg) {
		return ""
	}
	for _, k := range known {
		if strings.HasPrefix(k, arg) || strings.HasPrefix(arg, k) || eksconf.EditDistance(arg, k) <= 2 {
			return k
		}
	}
	return ""
}

// ParseFlags parses args with fs without letting the flag package print
// them: a flag error is logged naming the flag only when it reads as a flag
// name (the value never). -h and --help print the flags on stderr. It
// returns ok, or the exit code to return (0 for help, else 2).
func ParseFlags(fs *flag.FlagSet, args []string, stderr io.Writer, log *logrus.Logger) (int, bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		return 0, false
	}
	// The flag package's messages quote the flag and, for a bad value, the
	// value: show the flag's name only, and only if it reads as one.
	e := log.WithField("args", len(args))
	if name := flagName(err.Error()); name != "" {
		e = e.WithField("flag", shownWord("--"+name))
	}
	e.Error("invalid arguments (not shown: a secret may be among them); see eks_logs --help")
	return 2, false
}

// flagName finds the flag a flag package error is about.
func flagName(msg string) string {
	for _, pre := range []string{"flag provided but not defined: -", "flag needs an argument: -"} {
		if n, ok := strings.CutPrefix(msg, pre); ok {
			return strings.TrimLeft(n, "-")
		}
	}
	for _, mid := range []string{" for flag -", " for -"} {
		if i := strings.LastIndex(msg, mid); i >= 0 {
			n, _, _ := strings.Cut(msg[i+len(mid):], ":")
			return n
		}
	}
	return ""
}
