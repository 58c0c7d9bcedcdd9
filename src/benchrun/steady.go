package benchrun

import (
	"context"
	"fmt"
	"math"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
)

// SteadyScale is how much faster than eks_logs's defaults the steady run
// polls, sweeps and forgets: poll_interval, lag, overlap and sweep_interval
// are the defaults (30s, 1m, 10m, 5m) divided by it, so that the run
// reaches the state a default input is in after its first quarter of an
// hour within seconds. The ratios that decide how often each event is read
// (overlap / sweep_interval, sweep_interval / poll_interval) are the
// defaults'.
const SteadyScale = 60

// steadyParams are the steady run's windowing parameters.
var steadyParams = map[string]string{
	"poll_interval": "500ms", "lag": "1s", "overlap": "10s", "sweep_interval": "5s",
}

// SteadyConfig says what EKSSteady measures.
type SteadyConfig struct {
	Binary string
	// Rate is how many events a second arrive in the log group; each is
	// visible at once, with its timestamp up to 100 ms old.
	Rate int
	// Warmup is how long the run goes before it measures: the overlap
	// and one sweep interval, so that every sweep reads a full window.
	// Measure is how long it then measures.
	Warmup, Measure time.Duration
	Seed            uint64
}

// SteadyRun is what eks_logs did in the measured part of a steady run, at
// max_calls_per_second = 5.
type SteadyRun struct {
	Rate            int
	Warmup, Measure time.Duration
	// Arrived and Delivered are the events put into the fake and read from
	// eks_logs's stdout in the measured part; Served the events the fake
	// returned, Calls its FilterLogEvents calls.
	Arrived, Delivered, Served, Calls int
	AvgMessage                        float64
	// CPU is the eks_logs process's over its whole life, Lifetime that
	// life.
	CPU, Lifetime time.Duration
}

// ReadsPerEvent is how many times the fake served each delivered event.
func (s *SteadyRun) ReadsPerEvent() float64 { return float64(s.Served) / float64(s.Delivered) }

// PageEvents is how many of the run's events fill a 1 MB page.
func (s *SteadyRun) PageEvents() float64 { return float64(int(maxPageBytes / (s.AvgMessage + 26))) }

// Sustainable is the event rate five full pages a second keep up with
// when every event is read ReadsPerEvent times: what a default input's
// sweeps leave of the quota. At the defaults' 30 s poll_interval a poll's
// own partly filled page is a small share; the run's 500 ms polls add
// calls this ignores.
func (s *SteadyRun) Sustainable() float64 { return 5 * s.PageEvents() / s.ReadsPerEvent() }

// KeptUp reports whether eks_logs delivered what arrived (within 5%).
func (s *SteadyRun) KeptUp() bool { return float64(s.Delivered) >= 0.95*float64(s.Arrived) }

// EKSSteady runs eks_logs at max_calls_per_second = 5 against a log group
// that keeps receiving events, with the defaults' windowing sped up
// SteadyScale times, and measures once the sweeps read full windows.
func EKSSteady(ctx context.Context, cfg SteadyConfig) (SteadyRun, error) {
	run := SteadyRun{Rate: cfg.Rate, Warmup: cfg.Warmup, Measure: cfg.Measure}
	cw := cwfake.New()
	defer cw.Close()
	cw.CreateGroup(benchdata.LogGroup)
	dir, err := os.MkdirTemp("", "kubelens-bench-steady-")
	if err != nil {
		return run, fmt.Errorf("benchrun: %w", err)
	}
	defer os.RemoveAll(dir)
	params := map[string]string{
		"aws_region": benchdata.Region, "cluster_name": benchdata.Cluster, "endpoint_url": cw.URL,
		"start_from": "-2s", "max_backoff": "1s", "max_calls_per_second": "5",
	}
	for k, v := range steadyParams {
		params[k] = v
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Warmup+cfg.Measure+time.Minute)
	defer cancel()
	c, stdout, stderr, err := startEKSLogs(ctx, cfg.Binary, dir, params)
	if err != nil {
		return run, err
	}
	start := time.Now()
	var delivered atomic.Int64
	readDone := make(chan error, 1)
	go func() {
		readDone <- countEvents(stdout, math.MaxInt, func(n int) { delivered.Store(int64(n)) })
	}()

	// The arrivals: a batch every 100 ms, timestamps spread over it.
	g := benchdata.NewGenerator(cfg.Seed)
	var e benchdata.Event
	var arrived, size int
	const tick = 100 * time.Millisecond
	perTick := float64(cfg.Rate) * tick.Seconds()
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	measureFrom, measureTo := start.Add(cfg.Warmup), start.Add(cfg.Warmup+cfg.Measure)
	var atFrom struct {
		arrived, delivered int
		stats              cwfake.Stats
	}
	measuring := false
	owed := 0.0
	for now := range ticker.C {
		if !measuring && !now.Before(measureFrom) {
			measuring = true
			atFrom.arrived, atFrom.delivered, atFrom.stats = arrived, int(delivered.Load()), cw.Stats()
		}
		if !now.Before(measureTo) {
			st := cw.Stats()
			run.Arrived = arrived - atFrom.arrived
			run.Delivered = int(delivered.Load()) - atFrom.delivered
			run.Served = st.EventsServed - atFrom.stats.EventsServed
			run.Calls = st.Requests - atFrom.stats.Requests
			break
		}
		select {
		case err := <-readDone:
			c.Process.Kill()
			c.Wait()
			return run, fmt.Errorf("benchrun: eks_logs stopped in the steady run: %v\n%s", err, stderr.String())
		default:
		}
		owed += perTick
		batch := make([]cwfake.Event, int(owed))
		owed -= float64(len(batch))
		for i := range batch {
			g.Next(&e)
			ts := now.Add(-tick + time.Duration(i)*tick/time.Duration(len(batch)))
			batch[i] = cwfake.Event{Group: benchdata.LogGroup, Stream: e.Stream, Timestamp: ts.UnixMilli(), Message: e.Raw}
			size += len(e.Raw)
		}
		cw.Put(batch...)
		arrived += len(batch)
	}
	run.AvgMessage = float64(size) / float64(max(arrived, 1))
	c.Process.Signal(syscall.SIGTERM)
	<-readDone // eks_logs closes its stdout as it exits: Wait comes after the reads
	werr := c.Wait()
	run.Lifetime = time.Since(start)
	_, run.CPU = usage(c.ProcessState)
	if werr != nil {
		return run, fmt.Errorf("benchrun: eks_logs after SIGTERM: %w\n%s", werr, stderr.String())
	}
	if run.Delivered == 0 {
		return run, fmt.Errorf("benchrun: eks_logs delivered nothing in the steady run\n%s", stderr.String())
	}
	return run, nil
}
