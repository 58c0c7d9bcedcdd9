// Package benchrun is the harness behind "make bench": it runs kubeenrich
// and the pass-through baseline over the streams package benchdata wrote,
// alternately, round after round, as splunkd would feed them, and reports
// median wall time, records/s, MB/s, the ratio to the pass-through, CPU
// time and peak RSS against issue 9's targets; then the start-up costs, the
// stdlib Python baseline where python3 and the team's script exist, and
// eks_logs reading from the CloudWatch fake.
package benchrun

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/kubelens/kubelens/src/benchdata"
)

// Series is the runs of one command over one stream.
type Series struct {
	Command string
	Stream  *benchdata.StreamInfo
	Runs    []Run
}

func (s *Series) walls() []time.Duration {
	w := make([]time.Duration, len(s.Runs))
	for i, r := range s.Runs {
		w[i] = r.Wall
	}
	return w
}

// MedianWall is the median wall time.
func (s *Series) MedianWall() time.Duration { return median(s.walls()) }

// MinWall is the shortest wall time.
func (s *Series) MinWall() time.Duration { return slices.Min(s.walls()) }

// MaxWall is the longest wall time.
func (s *Series) MaxWall() time.Duration { return slices.Max(s.walls()) }

// MedianCPU is the median user plus system time.
func (s *Series) MedianCPU() time.Duration {
	c := make([]time.Duration, len(s.Runs))
	for i, r := range s.Runs {
		c[i] = r.CPU
	}
	return median(c)
}

// MedianFeederCPU is the median of the harness's own CPU over the runs.
func (s *Series) MedianFeederCPU() time.Duration {
	v := make([]time.Duration, len(s.Runs))
	for i, r := range s.Runs {
		v[i] = r.FeederCPU
	}
	return median(v)
}

// MaxRSS is the highest peak RSS of the runs, in bytes.
func (s *Series) MaxRSS() int64 {
	var m int64
	for _, r := range s.Runs {
		m = max(m, r.MaxRSS)
	}
	return m
}

// RecordsPerSecond is the stream's records over the median wall time.
func (s *Series) RecordsPerSecond() float64 {
	return float64(s.Stream.Records) / s.MedianWall().Seconds()
}

// MBPerSecond is the stream's bytes (10⁶) over the median wall time.
func (s *Series) MBPerSecond() float64 {
	return float64(s.Stream.Bytes) / 1e6 / s.MedianWall().Seconds()
}

// RSSPerChunk is the peak RSS over the stream's largest execute chunk.
func (s *Series) RSSPerChunk() float64 {
	return float64(s.MaxRSS()) / float64(s.Stream.LargestChunk())
}

// MedianGetInfo is the median time from process start to getinfo reply.
func (s *Series) MedianGetInfo() time.Duration {
	g := make([]time.Duration, len(s.Runs))
	for i, r := range s.Runs {
		g[i] = r.GetInfo
	}
	return median(g)
}

// MedianFirstExtra is the median of how much longer the first execute
// reply took than the second, identical, one.
func (s *Series) MedianFirstExtra() time.Duration {
	var d []time.Duration
	for _, r := range s.Runs {
		if len(r.Execute) >= 2 {
			d = append(d, r.Execute[0]-r.Execute[1])
		}
	}
	return median(d)
}

// median of the values; 0 for none.
func median(v []time.Duration) time.Duration {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Pair is the pass-through and the measured command on one stream.
type Pair struct {
	Base, Cmd Series
}

// Ratio is the command's median wall time over the pass-through's.
func (p *Pair) Ratio() float64 { return p.Cmd.MedianWall().Seconds() / p.Base.MedianWall().Seconds() }

// Config says what Bench measures.
type Config struct {
	// Dir holds the streams benchdata.Write made, described by Manifest.
	Dir      string
	Manifest *benchdata.Manifest
	// Base is the pass-through, Cmd kubeenrich.
	Base, Cmd Command
	// Python is the stdlib Python baseline, nil to skip it; it runs once
	// on the first stream.
	Python *Command
	// Rounds of every stream with Base then Cmd.
	Rounds int
	// StartupRuns of the start-up stream with Base then Cmd.
	StartupRuns int
	// Timeout bounds each run.
	Timeout time.Duration
	// Progress gets a line per run.
	Progress io.Writer
}

// Results are what Bench measured.
type Results struct {
	Manifest *benchdata.Manifest
	Rounds   int
	Pairs    []Pair
	Startup  Pair
	Python   *Series
}

// Bench measures every stream of the manifest with Base and Cmd, one after
// the other, for cfg.Rounds rounds, so that a slower or busier stretch of
// a shared machine hits both alike; then the start-up stream; then Python.
func Bench(ctx context.Context, cfg Config) (*Results, error) {
	m := cfg.Manifest
	res := &Results{Manifest: m, Rounds: cfg.Rounds}
	for i := range m.Streams {
		s := &m.Streams[i]
		res.Pairs = append(res.Pairs, Pair{Base: Series{Command: cfg.Base.Name, Stream: s}, Cmd: Series{Command: cfg.Cmd.Name, Stream: s}})
	}
	for round := 1; round <= cfg.Rounds; round++ {
		for i := range res.Pairs {
			p := &res.Pairs[i]
			for _, x := range []struct {
				cmd    Command
				series *Series
			}{{cfg.Base, &p.Base}, {cfg.Cmd, &p.Cmd}} {
				r, err := measure(ctx, cfg, x.cmd, x.series.Stream)
				if err != nil {
					return nil, err
				}
				x.series.Runs = append(x.series.Runs, r)
				progress(cfg.Progress, "round %d/%d  %-10s %-14s %7.3f s  %6.0f MB peak\n", round, cfg.Rounds, x.series.Stream.Name, x.cmd.Name, r.Wall.Seconds(), float64(r.MaxRSS)/1e6)
			}
		}
	}
	res.Startup = Pair{Base: Series{Command: cfg.Base.Name, Stream: &m.Startup}, Cmd: Series{Command: cfg.Cmd.Name, Stream: &m.Startup}}
	for i := 0; i < cfg.StartupRuns; i++ {
		for _, x := range []struct {
			cmd    Command
			series *Series
		}{{cfg.Base, &res.Startup.Base}, {cfg.Cmd, &res.Startup.Cmd}} {
			r, err := measure(ctx, cfg, x.cmd, &m.Startup)
			if err != nil {
				return nil, err
			}
			x.series.Runs = append(x.series.Runs, r)
		}
	}
	progress(cfg.Progress, "start-up: %d runs each\n", cfg.StartupRuns)
	if cfg.Python != nil && len(m.Streams) > 0 {
		s := &m.Streams[0]
		r, err := measure(ctx, cfg, *cfg.Python, s)
		if err != nil {
			return nil, err
		}
		res.Python = &Series{Command: cfg.Python.Name, Stream: s, Runs: []Run{r}}
		progress(cfg.Progress, "python     %-10s %7.3f s  %6.0f MB peak\n", s.Name, r.Wall.Seconds(), float64(r.MaxRSS)/1e6)
	}
	return res, nil
}

func measure(ctx context.Context, cfg Config, cmd Command, s *benchdata.StreamInfo) (Run, error) {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return Measure(ctx, cmd, cfg.Dir, s)
}

func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
