package benchrun

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/lookups"
)

const usageText = `Usage:
  kubebench gen -dir DIR [-events N] [-seed S] [-small N] [-large N] [-startup N]
      Generate the streams make bench measures into DIR.
  kubebench run -dir DIR -bin BIN [-rounds N] [-save FILE] [flags]
      Measure BIN/kubeenrich against BIN/passthrough on them, the start-up
      costs, the stdlib Python baseline, and BIN/eks_logs; print the report.
`

// Main runs the kubebench tool with args (without the program name) and
// returns the exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return 2
	}
	var err error
	switch args[0] {
	case "gen":
		err = gen(args[1:], stderr)
	case "run":
		err = run(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "kubebench: unknown command %q\n%s", args[0], usageText)
		return 2
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case err != nil:
		fmt.Fprintln(stderr, "kubebench:", err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

// floorEvents is how many events MeasureFloor goes over: enough for every
// kind the generator writes, few enough to take a second.
const floorEvents = 10_000

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "kubebench %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}

func gen(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "folder to write the streams and manifest.json to (required)")
	events := fs.Int("events", 100_000, "events to generate")
	seed := fs.Uint64("seed", 1, "generator seed")
	small := fs.Int("small", 10_000, "records per chunk of the small-chunk streams")
	large := fs.Int("large", 50_000, "records per chunk of the large-chunk stream (a multiple of -small)")
	startup := fs.Int("startup", 100, "records per execute request of the start-up stream")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "kubebench gen: -dir is required")
		return errUsage
	}
	t0 := time.Now()
	m, err := benchdata.Write(*dir, benchdata.Options{Events: *events, Seed: *seed, Streams: benchdata.StandardStreams(*small, *large), StartupRecords: *startup})
	if err != nil {
		return err
	}
	for _, s := range m.Streams {
		fmt.Fprintf(stderr, "%s: %s, %d chunks, largest %s\n", s.Name, mb(s.Bytes), len(s.Chunks)-1, mb(s.LargestChunk()))
	}
	fmt.Fprintf(stderr, "generated %d events in %.1f s\n", m.Events, time.Since(t0).Seconds())
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "folder kubebench gen wrote (required)")
	bin := fs.String("bin", "bin", "folder of the built kubeenrich, passthrough and eks_logs")
	rounds := fs.Int("rounds", 5, "rounds of every stream, pass-through then kubeenrich")
	startupRuns := fs.Int("startup-runs", 20, "runs of the start-up stream, each command")
	python := fs.String("python", "", "the stdlib Python baseline script (baseline-srcipclass.py); empty or absent skips it")
	eksEvents := fs.Int("eks-events", 100_000, "events eks_logs reads without a call limit (0 skips)")
	eksLimited := fs.Int("eks-limited-events", 30_000, "events eks_logs reads at 5 calls a second (0 skips)")
	steadyRate := fs.Int("eks-steady-rate", 600, "events a second arriving in the steady eks_logs run (0 skips)")
	steadyWarmup := fs.Duration("eks-steady-warmup", 17*time.Second, "how long the steady run goes before it measures: overlap + sweep_interval + 2s")
	steadyMeasure := fs.Duration("eks-steady-measure", 10*time.Second, "how long the steady run measures")
	seed := fs.Uint64("seed", 1, "generator seed of the eks_logs events")
	save := fs.String("save", "", "also write the report, with the Go benchmarks, to this file (tests/bench/RESULTS.md)")
	gobench := fs.String("gobench", "", "file holding the Go benchmarks' output, for -save")
	repo := fs.String("repo", ".", "the checkout, to name its commit")
	timeout := fs.Duration("timeout", 10*time.Minute, "limit of each run")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" || *rounds < 1 || *startupRuns < 1 {
		fmt.Fprintln(stderr, "kubebench run: -dir is required; -rounds and -startup-runs must be at least 1")
		return errUsage
	}
	m, err := benchdata.ReadManifest(*dir)
	if err != nil {
		return err
	}
	rep := &Report{Machine: Describe(ctx, *repo)}
	cfg := Config{
		Dir: *dir, Manifest: m, Rounds: *rounds, StartupRuns: *startupRuns, Timeout: *timeout, Progress: stderr,
		Base: Command{Name: "pass-through", Argv: []string{filepath.Join(*bin, "passthrough")}, Echo: true},
		Cmd:  Command{Name: "kubeenrich", Argv: []string{filepath.Join(*bin, "kubeenrich")}},
	}
	if py, err := exec.LookPath("python3"); err != nil {
		rep.PythonNote = "python3 is not installed"
	} else if _, err := os.Stat(*python); *python == "" || err != nil {
		rep.PythonNote = "the script (../shared/tools/baseline-srcipclass.py) is not at hand"
	} else {
		cfg.Python = &Command{Name: "stdlib Python (baseline-srcipclass.py)", Argv: []string{py, *python}}
	}
	if rep.Results, err = Bench(ctx, cfg); err != nil {
		return err
	}
	// Before the CloudWatch fake fills this process with events.
	rep.HarnessRSS = selfMaxRSS()
	// The floor reads the lookups kubeenrich found: those next to it.
	if dir := lookups.Dir(filepath.Join(*bin, "kubeenrich")); dir == "" {
		rep.FloorNote = "no lookups folder next to " + filepath.Join(*bin, "kubeenrich")
	} else if fl, err := MeasureFloor(benchdata.Events(min(m.Events, floorEvents), m.Seed), dir); err != nil {
		rep.FloorNote = strings.SplitN(err.Error(), "\n", 2)[0]
	} else {
		rep.Floor = &fl
	}
	eksBin := filepath.Join(*bin, "eks_logs")
	switch _, statErr := os.Stat(eksBin); {
	case *eksEvents == 0 && *eksLimited == 0:
		rep.EKSNote = "skipped (-eks-events 0 -eks-limited-events 0)"
	case statErr != nil:
		rep.EKSNote = eksBin + " is not built"
	default:
		rep.EKS, err = EKSLogs(ctx, EKSConfig{Binary: eksBin, Events: *eksEvents, LimitedEvents: *eksLimited, Seed: *seed, Timeout: *timeout})
		if err != nil {
			// The kubeenrich figures stand on their own: report them.
			rep.EKSNote = "eks_logs failed: " + strings.SplitN(err.Error(), "\n", 2)[0]
			fmt.Fprintln(stderr, err)
		}
	}
	switch _, statErr := os.Stat(eksBin); {
	case *steadyRate == 0:
		rep.SteadyNote = "skipped (-eks-steady-rate 0)"
	case statErr != nil:
		rep.SteadyNote = eksBin + " is not built"
	default:
		fmt.Fprintf(stderr, "eks_logs steady run: %d events/s for %v\n", *steadyRate, *steadyWarmup+*steadyMeasure)
		st, err := EKSSteady(ctx, SteadyConfig{Binary: eksBin, Rate: *steadyRate, Warmup: *steadyWarmup, Measure: *steadyMeasure, Seed: *seed})
		if err != nil {
			rep.SteadyNote = "eks_logs failed: " + strings.SplitN(err.Error(), "\n", 2)[0]
			fmt.Fprintln(stderr, err)
		} else {
			rep.Steady = &st
		}
	}
	rep.Machine.LoadAfter = LoadAverage()
	fmt.Fprintln(stdout)
	if err := rep.WriteMarkdown(stdout, false); err != nil {
		return err
	}
	if *save == "" {
		return nil
	}
	if *gobench != "" {
		b, err := os.ReadFile(*gobench)
		if err != nil {
			return err
		}
		rep.GoBench = string(b)
	}
	return writeFile(*save, rep)
}

// writeFile writes the full report to path through a temporary file.
func writeFile(path string, rep *Report) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".results-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := rep.WriteMarkdown(f, true); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
