// Package kubeenrich is the command line of the kubeenrich executable: by
// default the chunked-protocol search command splunkd runs, and with
// "replay" the local mode that runs audit events from a file through the
// same engine.
package kubeenrich

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/kubelens/kubelens/src/buildinfo"
	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/lookups"
	"github.com/kubelens/kubelens/src/replay"
	"github.com/kubelens/kubelens/src/searchcmd"
	"github.com/kubelens/kubelens/src/splunklog"
	"github.com/sirupsen/logrus"
	"golang.org/x/term"
)

const usage = `Usage:
  kubeenrich [--max-chunk-size SIZE] [--pipe-buffer SIZE] [--lookups DIR]
      Run as Splunk's chunked search command on stdin/stdout (how splunkd
      starts it; SPL options arrive with getinfo, not on the command line).
  kubeenrich replay [flags] FILE|- [option=value ...]
      Enrich the audit events in FILE without Splunk and print the result.
  kubeenrich --version

Run "kubeenrich replay --help" for the replay flags.
`

// Main runs the executable with args (without the program name) and
// returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// stderr lands in the job's search.log at ERROR level whatever the
	// line says, so the command logs only what ends it.
	log := splunklog.New(stderr, logrus.ErrorLevel)
	if len(args) > 0 && args[0] == "replay" {
		return runReplay(ctx, args[1:], stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet("kubeenrich", flag.ContinueOnError)
	var flagErrs strings.Builder
	fs.SetOutput(&flagErrs)
	fs.Usage = func() {}
	maxChunk := fs.String("max-chunk-size", "", "largest incoming chunk (metadata plus body), e.g. 512MiB; default and most 2GiB")
	lookupsDir := fs.String("lookups", "", "the lookups folder (default: <app>/lookups, found from the executable's path)")
	pipeBuffer := fs.String("pipe-buffer", "", "pipe buffer to ask Linux for on stdin and stdout, e.g. 256KiB (the default); 0 leaves the pipes as splunkd made them")
	version := fs.Bool("version", false, "print the version and exit")
	var setupErr error
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stderr, usage)
		return 0
	case err != nil:
		setupErr = fmt.Errorf("kubeenrich: %v (check command.arg in commands.conf)", err)
	case *version:
		fmt.Fprintln(stdout, "kubeenrich", buildinfo.Version)
		return 0
	case fs.NArg() > 0:
		setupErr = fmt.Errorf("kubeenrich: unexpected argument %q (check command.arg in commands.conf)", fs.Arg(0))
	}
	var limit int64
	if *maxChunk != "" && setupErr == nil {
		n, err := ParseSize(*maxChunk)
		switch {
		case err != nil:
			setupErr = fmt.Errorf("kubeenrich: --max-chunk-size: %w, e.g. 512MiB (check command.arg in commands.conf)", err)
		case n > chunked.MaxBody+1:
			setupErr = fmt.Errorf("kubeenrich: --max-chunk-size %s is above the 2GiB a chunk can hold (check command.arg in commands.conf)", *maxChunk)
		}
		limit = min(n, chunked.MaxBody) // 2GiB: the most there is
	}
	pipe := 0 // chunked.DefaultPipeBuffer
	if v := strings.TrimSpace(*pipeBuffer); v != "" && setupErr == nil {
		n, err := parseSize(v)
		switch {
		case err != nil:
			setupErr = fmt.Errorf("kubeenrich: --pipe-buffer: %w, e.g. 256KiB, or 0 (check command.arg in commands.conf)", err)
		case n > maxPipeBuffer:
			setupErr = fmt.Errorf("kubeenrich: --pipe-buffer %s is above the %dMiB kubeenrich accepts; Linux takes at most /proc/sys/fs/pipe-max-size, 1MiB by default (check command.arg in commands.conf)", *pipeBuffer, maxPipeBuffer>>20)
		case n == 0: // 0, 0KiB: leave the pipes as they are
			pipe = -1
		default:
			pipe = int(n)
		}
	}
	if *lookupsDir != "" && setupErr == nil {
		if st, err := os.Stat(*lookupsDir); err != nil || !st.IsDir() {
			setupErr = fmt.Errorf("kubeenrich: --lookups %s: no such folder (check command.arg in commands.conf)", *lookupsDir)
		}
	}
	if setupErr != nil {
		log.Error(setupErr.Error())
		if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			fmt.Fprint(stderr, usage)
			return 2
		}
		// Started by splunkd: say it where the search shows it, as the
		// answer to getinfo, rather than exiting unexplained.
		// The pipes are left as they are: one reply crosses them.
		_ = chunked.Serve(ctx, stdin, stdout, failing{setupErr}, chunked.Options{PipeBuffer: -1})
		return 2
	}
	err := chunked.Serve(ctx, stdin, stdout, searchcmd.New(findLookups(*lookupsDir)), chunked.Options{Name: "kubeenrich", MaxChunkSize: limit, PipeBuffer: pipe})
	if errors.Is(err, chunked.ErrStopped) {
		return 1 // the caller knows why: it cancelled ctx
	}
	if err != nil {
		log.Error("kubeenrich: " + err.Error())
		var pe *chunked.PanicError
		if errors.As(err, &pe) {
			log.Error("kubeenrich: where it happened:\n" + string(pe.Stack))
		}
		return 1
	}
	return 0
}

func runReplay(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kubeenrich replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	region := fs.String("region", "us-east-1", "AWS region put in each event's source")
	cluster := fs.String("cluster", "demo", "EKS cluster name put in each event's source")
	sourcetype := fs.String("sourcetype", "", "sourcetype of every record (default: "+replay.DefaultSourcetype+", or the sourcetype of the record's shape when neither --sourcetype nor --source is given)")
	source := fs.String("source", "", "source of every record (default: the EKS source built from --region and --cluster for CloudWatch Logs sourcetypes, none for the others and, when neither flag is given, for AKS, GKE and subscription records)")
	asJSON := fs.Bool("json", false, "print JSON lines instead of a table")
	fields := fs.String("fields", "", "comma-separated columns to print (default: a fixed analyst view; with --json every field kubeenrich added)")
	chunk := fs.Int("chunk", replay.DefaultChunkRecords, "records per execute chunk (splunkd sends up to maxresultrows, 50000); the memory a replay holds grows with it")
	rawOnly := fs.Bool("raw-only", false, "send only _raw and the indexed fields, as after '| fields _raw source'")
	lookupsDir := fs.String("lookups", "", "the lookups folder (default: the one next to the executable)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: kubeenrich replay [flags] FILE|- [option=value ...]\n\n"+
			"Flags may come before or after FILE.\n"+
			"FILE holds Kubernetes audit events: JSON lines, a JSON array, an EventList, CloudWatch\n"+
			"Logs records as 'aws logs filter-log-events' prints them, AKS diagnostic records, GKE\n"+
			"Cloud Audit Logs entries or CloudWatch Logs subscription messages. Options after FILE\n"+
			"are kubeenrich's SPL options (fields=, prefix=).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(positional) < 1 {
		fs.Usage()
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "kubeenrich replay: "+format+"\n", a...)
		return 2
	}
	if *lookupsDir != "" {
		if st, err := os.Stat(*lookupsDir); err != nil || !st.IsDir() {
			return fail("--lookups %s: no such folder", *lookupsDir)
		}
	}
	ix := replay.Indexing{Region: *region, Cluster: *cluster, Sourcetype: *sourcetype, Source: *source, RawOnly: *rawOnly, Extract: enrich.IsInput}
	if _, ok := enrich.ParseEKSSource(ix.EKSSource("kube-apiserver-audit-0")); !ok {
		return fail("--region %q --cluster %q: not an AWS region and EKS cluster name the enricher can read back from the source (a region such as us-east-1, a cluster name without \"/\" or \":\")", *region, *cluster)
	}
	if *chunk < 1 {
		return fail("--chunk %d: must be at least 1", *chunk)
	}
	in, closeIn, err := openInput(positional[0], stdin)
	if err != nil {
		fmt.Fprintln(stderr, "kubeenrich replay:", err)
		return 1
	}
	defer closeIn()
	cfg := replay.Config{
		Indexing:     ix,
		Args:         positional[1:],
		ChunkRecords: *chunk,
		JSON:         *asJSON,
	}
	if *fields != "" {
		cfg.Fields = strings.Split(*fields, ",")
	}
	out := replay.NewPrinter(stdout, cfg)
	msgs, err := replay.Run(ctx, cfg, replay.Decode(in), searchcmd.New(findLookups(*lookupsDir)), out.Chunk)
	for _, m := range msgs {
		if err != nil && m.Level == "ERROR" {
			continue // the error itself is said below, once
		}
		fmt.Fprintf(stderr, "%s %s\n", m.Level, m.Text)
	}
	// say prints err once after "kubeenrich replay:" (the replay package's
	// own errors begin with "replay:").
	say := func(err error) {
		fmt.Fprintln(stderr, "kubeenrich replay:", strings.TrimPrefix(err.Error(), "replay: "))
	}
	var jsonErr *replay.ValueError
	switch {
	case errors.Is(err, syscall.EPIPE):
		return 0 // the reader (| head) has what it wanted
	case errors.As(err, &jsonErr):
		out.Stop() // the records before the value were replayed
		fmt.Fprintf(stderr, "kubeenrich replay: %s: JSON value %d: %v\n", positional[0], jsonErr.N, jsonErr.Err)
		return 1
	case err != nil:
		say(err)
		return 1
	}
	if err := out.Flush(); err != nil {
		if errors.Is(err, syscall.EPIPE) {
			return 0 // the reader (| head) has what it wanted
		}
		say(err)
		return 1
	}
	return 0
}

// parseInterspersed parses flags wherever they are among the arguments,
// before or after FILE and the SPL options, and returns the others in
// order. After "--" everything is an argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// flag stops at the first argument, or consumes "--" before it.
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// failing is the command when kubeenrich cannot start: its getinfo reply
// is the error.
type failing struct{ err error }

func (f failing) GetInfo(*chunked.GetInfoRequest) (chunked.Config, error) {
	return chunked.Config{}, f.err
}

func (f failing) Execute(context.Context, *chunked.Table, *chunked.Messages) error { return f.err }

// findLookups returns the lookups folder: the one given, else the app's,
// found from where the executable lives.
func findLookups(given string) string {
	if given != "" {
		return given
	}
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	return lookups.Dir(exe)
}

func openInput(name string, stdin io.Reader) (io.Reader, func(), error) {
	if name == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// maxPipeBuffer bounds --pipe-buffer: Linux takes at most
// /proc/sys/fs/pipe-max-size, 1 MiB by default, and refuses more unless
// the user raised it; a size beyond any sensible setting is a typo.
const maxPipeBuffer = 64 << 20

// ParseSize parses a byte size: a number of bytes, or one with a binary
// unit: K, KB, KiB, M, MB, MiB, G, GB, GiB (all powers of 1024). Its
// errors say what is wrong with the size; the caller names the flag.
func ParseSize(s string) (int64, error) {
	n, err := parseSize(s)
	if err == nil && n == 0 {
		return 0, fmt.Errorf("size %q is not a positive number of bytes", s)
	}
	return n, err
}

// parseSize is ParseSize that also takes zero (in any unit), for a flag
// where 0 turns something off.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	num := strings.TrimRight(t, "KMGBikmgb")
	unit := strings.ToUpper(strings.TrimSpace(t[len(num):]))
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("size %q is not a positive number of bytes", s)
	}
	shift := map[string]int{"": 0, "B": 0, "K": 10, "KB": 10, "KIB": 10, "M": 20, "MB": 20, "MIB": 20, "G": 30, "GB": 30, "GIB": 30}
	sh, ok := shift[unit]
	if !ok {
		return 0, fmt.Errorf("size %q has an unknown unit (use K, M or G, or KiB, MiB, GiB)", s)
	}
	if n > (1<<62)>>sh {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n << sh, nil
}
