// Package eksservice is "eks_logs run": the puller as a standalone service
// configured by one YAML file (eksconf.ParseService), shipping to HEC,
// Splunk Cloud Services or stdout. It is the second shell around the core
// in eksinput; the modular input is the first.
//
// Per input, a puller hands pages to a bounded queue (back-pressure), and
// one delivery goroutine sends what is queued to every sink at once; the
// input's checkpoint advances only past events that every sink has durably
// taken. A fatal error on any sink stops the process (exit 1). Delivery
// that makes no progress for delivery_stall_timeout is stalled: an ERROR
// says so, /healthz answers 503 until it resumes, and --once gives up
// (exit 1) rather than wait forever. SIGTERM stops pulling, lets
// deliveries finish or gives them up after shutdown_timeout, saves what
// was delivered and exits 0.
package eksservice

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch"
	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/kubelens/kubelens/src/eksinput"
	"github.com/kubelens/kubelens/src/sink"
	"github.com/kubelens/kubelens/src/sink/hec"
	"github.com/kubelens/kubelens/src/sink/scs"
	"github.com/kubelens/kubelens/src/splunklog"
	"github.com/sirupsen/logrus"
	"golang.org/x/time/rate"
)

// Exit codes of eks_logs run.
const (
	ExitOK      = 0
	ExitRuntime = 1
	ExitConfig  = 2
)

// Main runs "eks_logs run" with the arguments after "run".
func Main(ctx context.Context, args []string, sio eksinput.IO) int {
	log := splunklog.New(sio.Stderr, logrus.InfoLevel)
	fs := flag.NewFlagSet("eks_logs run", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "the service's YAML configuration file (required)")
	once := fs.Bool("once", false, "pull what is there now, deliver it, save the checkpoints and exit 0 (for cron and Jobs)")
	check := fs.Bool("check", false, "validate the file, reach every sink and every input's log group once, then exit")
	if code, ok := eksinput.ParseFlags(fs, args, sio.Stderr, log); !ok {
		if code == 0 {
			return ExitOK
		}
		return ExitConfig
	}
	if *cfgPath == "" || fs.NArg() != 0 {
		log.Error("usage: eks_logs run --config FILE [--once | --check]")
		return ExitConfig
	}
	cfg, err := eksconf.ReadServiceFile(*cfgPath, sio.Getenv, time.Now())
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			log.WithField("config", *cfgPath).Error("invalid configuration: " + line)
		}
		return ExitConfig
	}
	log.SetLevel(cfg.LogLevel)
	s := &service{cfg: cfg, log: log, sio: sio}
	if err := s.build(); err != nil {
		log.WithError(err).Error("cannot set up the sinks")
		return ExitConfig
	}
	defer s.closeSinks()
	if *check {
		return s.check(ctx)
	}
	return s.run(ctx, *once)
}

type service struct {
	cfg    eksconf.Service
	log    *logrus.Logger
	sio    eksinput.IO
	sinks  []sink.Sink
	inputs []*pipeline
}

// pipeline is one input with its queue and counters.
type pipeline struct {
	in     *eksinput.Input
	q      *queue
	acked  atomic.Int64
	resent atomic.Int64
	// stall tells slow from stalled delivery (set by run).
	stall *stallWatch
}

func (s *service) build() error {
	for _, sc := range s.cfg.Sinks {
		var sk sink.Sink
		var err error
		switch sc.Type {
		case eksconf.SinkHEC:
			if sc.InsecureSkipVerify {
				s.log.WithField("sink", sc.Name).Warn("insecure_skip_verify is true: the HEC certificate is not verified")
			}
			sk, err = hec.New(hec.Config{Name: sc.Name, URL: sc.URL, Token: sc.Token, Ack: sc.Ack, AckPollInterval: sc.AckPollInterval,
				AckTimeout: sc.AckTimeout, MaxResends: sc.MaxResends, CAFile: sc.CAFile, InsecureSkipVerify: sc.InsecureSkipVerify, Gzip: sc.Gzip,
				MaxBatchBytes: int(sc.MaxBatchBytes), MaxBackoff: sc.MaxBackoff, Timeout: sc.Timeout, Log: s.log})
		case eksconf.SinkSCS:
			sk, err = scs.New(scs.Config{Name: sc.Name, URL: sc.URL, Tenant: sc.Tenant, Token: sc.Token, ClientID: sc.ClientID,
				ClientSecret: sc.ClientSecret, Scope: sc.Scope, AuthURL: sc.AuthURL, Timeout: sc.Timeout, MaxBackoff: sc.MaxBackoff, Log: s.log})
		case eksconf.SinkStdout:
			sk = sink.NewStdout(sc.Name, s.sio.Stdout)
		}
		if err != nil {
			return err
		}
		s.sinks = append(s.sinks, sk)
	}
	host, _ := os.Hostname()
	limiters := map[string]*rate.Limiter{}
	for _, ic := range s.cfg.Inputs {
		if ic.Host == "" {
			ic.Host = host
		}
		key := limiterKey(ic)
		if limiters[key] == nil {
			limiters[key] = rate.NewLimiter(rate.Limit(s.cfg.MaxCallsPerSecondPerAccount), 1)
		}
		in := &eksinput.Input{Cfg: ic, Log: s.log.WithField("stanza", ic.Stanza), Shared: limiters[key]}
		for _, c := range ic.Cautions() {
			in.Log.Warn(c)
		}
		p := &pipeline{in: in, q: newQueue(in, int64(s.cfg.QueueMaxBytes))}
		in.HealthFields = p.healthFields(s.sinkNames())
		s.inputs = append(s.inputs, p)
	}
	return nil
}

// limiterKey groups the inputs that share the FilterLogEvents quota: one
// account and Region, told apart without an STS call by the Region, the
// role assumed (else the process's one credential source) and the
// endpoint.
func limiterKey(ic eksconf.Input) string {
	cred := ic.RoleARN
	if cred == "" {
		cred = "default credential chain"
	}
	return ic.Region + "|" + cred + "|" + ic.EndpointURL
}

func (s *service) sinkNames() string {
	names := make([]string, len(s.sinks))
	for i, sk := range s.sinks {
		names[i] = strings.ReplaceAll(sk.Name(), " ", "")
	}
	return strings.Join(names, ",")
}

func (p *pipeline) healthFields(sinks string) func() logrus.Fields {
	return func() logrus.Fields {
		return logrus.Fields{"sink": sinks, "acked": p.acked.Swap(0), "resent": p.resent.Swap(0), "queue_bytes": p.q.Bytes()}
	}
}

func (s *service) closeSinks() {
	for _, sk := range s.sinks {
		sk.Close()
	}
}

// checker is a sink that can be reached without sending an event.
type checker interface {
	Check(ctx context.Context) error
}

// check is --check: checkpoint_dir, every sink and every input's log
// group, once.
func (s *service) check(ctx context.Context) int {
	failed := 0
	if err := checkpoint.CheckDir(s.cfg.CheckpointDir); err != nil {
		failed++
		s.log.WithField("checkpoint_dir", s.cfg.CheckpointDir).WithError(err).Error("check failed: checkpoint_dir cannot hold the checkpoints")
	} else {
		s.log.WithField("checkpoint_dir", s.cfg.CheckpointDir).Info("check: checkpoint_dir can take a save")
	}
	for _, sk := range s.sinks {
		c, ok := sk.(checker)
		if !ok {
			s.log.WithField("sink", sk.Name()).Info("check: nothing to reach")
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := c.Check(cctx)
		cancel()
		if err != nil {
			failed++
			s.log.WithField("sink", sk.Name()).WithError(err).Error("check failed: the sink cannot be reached or refuses the token")
			continue
		}
		s.log.WithField("sink", sk.Name()).Info("check: sink reached")
	}
	for _, p := range s.inputs {
		if err := s.checkInput(ctx, p.in); err != nil {
			failed++
			if cloudwatch.IsNoCredentials(err) {
				p.in.Log.Error("check failed: no AWS credentials found (environment, AWS_PROFILE, shared config, a pod or instance role)")
			}
			p.in.Log.WithField("log_group", p.in.Cfg.LogGroup).WithError(err).Error("check failed: the log group cannot be read")
			continue
		}
		p.in.Log.WithField("log_group", p.in.Cfg.LogGroup).Info("check: log group read")
	}
	if failed > 0 {
		s.log.WithField("failed", failed).Error("check failed")
		return ExitConfig
	}
	s.log.Info("check passed")
	return ExitOK
}

func (s *service) checkInput(ctx context.Context, in *eksinput.Input) error {
	c, err := cloudwatch.NewClient(ctx, cloudwatch.ClientConfig{Region: in.Cfg.Region, Endpoint: in.Cfg.EndpointURL, RoleARN: in.Cfg.RoleARN,
		ExternalID: in.Cfg.ExternalID, CallsPerSecond: in.Cfg.MaxCallsPerSecond, MaxAttempts: 3, MaxBackoff: in.Cfg.MaxBackoff,
		AttemptTimeout: in.Cfg.CallTimeout, Shared: in.Shared, Log: in.Log})
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, 4*in.Cfg.CallTimeout)
	defer cancel()
	now := time.Now()
	_, err = c.FilterLogEvents(cctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(in.Cfg.LogGroup),
		StartTime: aws.Int64(now.Add(-time.Minute).UnixMilli()), EndTime: aws.Int64(now.UnixMilli()), Limit: aws.Int32(1)})
	return err
}

// run is the service (or --once).
func (s *service) run(ctx context.Context, once bool) int {
	for i, p := range s.inputs {
		if err := p.in.Open(s.cfg.CheckpointDir); err != nil {
			p.in.Log.WithError(err).Error("cannot open the checkpoint")
			for _, q := range s.inputs[:i] {
				q.in.Close()
			}
			return ExitRuntime
		}
	}
	defer func() {
		for _, p := range s.inputs {
			p.in.Close()
		}
	}()
	// fatalCtx ends everything at once; pulling also stops on SIGTERM
	// (ctx); delivery gets shutdown_timeout after SIGTERM.
	fatalCtx, fatal := context.WithCancelCause(context.Background())
	defer fatal(nil)
	pullCtx, stopPull := context.WithCancel(fatalCtx)
	defer stopPull()
	deliverCtx, stopDeliver := context.WithCancel(fatalCtx)
	defer stopDeliver()
	go func() {
		select {
		case <-ctx.Done():
			s.log.WithField("shutdown_timeout", s.cfg.ShutdownTimeout.String()).Info("stopping: pulling stopped, delivering what is in flight")
			stopPull()
			t := time.AfterFunc(s.cfg.ShutdownTimeout, stopDeliver)
			<-deliverCtx.Done()
			t.Stop()
		case <-fatalCtx.Done():
		}
	}()
	for _, p := range s.inputs {
		p.stall = s.newStallWatch(p, once, fatal)
	}
	stopHealth := s.serveHealth()
	defer stopHealth()

	var wg sync.WaitGroup
	var incomplete atomic.Bool
	for _, p := range s.inputs {
		delivered := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			defer close(delivered)
			s.deliver(deliverCtx, p, fatal)
		}()
		go func() {
			defer wg.Done()
			err := p.in.Run(pullCtx, p.q, once)
			if err != nil && errors.Is(err, eksinput.ErrFatal) {
				fatal(err)
			} else if err != nil {
				incomplete.Store(true)
			}
			p.q.close()
			<-delivered
		}()
	}
	wg.Wait()
	code := ExitOK
	if cause := context.Cause(fatalCtx); cause != nil && !errors.Is(cause, context.Canceled) {
		s.log.WithError(cause).Error("stopping: a fatal error")
		code = ExitRuntime
	} else if once && incomplete.Load() {
		s.log.Error("--once could not read every log group to its end; the checkpoints cover what was delivered")
		code = ExitRuntime
	}
	s.log.WithField("exit_code", code).Info("eks_logs stopped")
	return code
}

// newStallWatch watches p's delivery: an ERROR when it stalls (with
// --once, the run stops with exit 1), an INFO when it resumes.
func (s *service) newStallWatch(p *pipeline, once bool, fatal context.CancelCauseFunc) *stallWatch {
	limit := s.cfg.DeliveryStallTimeout
	onStall := func(waited time.Duration) {
		e := p.in.Log.WithFields(logrus.Fields{"sink": s.sinkNames(), "waited": waited.Round(time.Millisecond).String(),
			"delivery_stall_timeout": limit.String(), "queue_bytes": p.q.Bytes()})
		if once {
			e.Error("delivery stalled: no event reached every sink within delivery_stall_timeout; --once gives up (the checkpoint covers what was delivered; see the WARN lines above for why)")
			fatal(fmt.Errorf("eksservice: %s: delivery stalled for %s (delivery_stall_timeout)", p.in.Cfg.Name(), limit))
			return
		}
		e.Error("delivery stalled: no event reached every sink within delivery_stall_timeout; still retrying, /healthz answers 503 until delivery resumes (see the WARN lines above for why)")
	}
	onResume := func(stalled time.Duration) {
		p.in.Log.WithFields(logrus.Fields{"sink": s.sinkNames(), "stalled_for": stalled.Round(time.Millisecond).String()}).Info("delivery resumed")
	}
	return newStallWatch(limit, onStall, onResume)
}

// deliver sends what an input's queue holds to every sink, then saves the
// cursors that came with it. It stops when the queue is closed and empty,
// on a fatal error (which it reports through fatal), or when ctx ends
// (shutdown_timeout: what is in flight is given up, not saved). The
// stall watch hears of every event a sink makes durable.
func (s *service) deliver(ctx context.Context, p *pipeline, fatal context.CancelCauseFunc) {
	defer p.stall.stop()
	progress := sink.WithProgress(ctx, func(int) { p.stall.progress() })
	for {
		items, ok := p.q.take(ctx)
		if !ok {
			return
		}
		var events []sink.Event
		var saved []checkpoint.Cursor
		var bytes int64
		for _, it := range items {
			events = append(events, it.events...)
			if it.hasSaved {
				saved = append(saved, it.saved)
			}
			bytes += it.bytes
		}
		if len(events) > 0 {
			p.stall.begin()
			errs := make([]error, len(s.sinks))
			var wg sync.WaitGroup
			for i, sk := range s.sinks {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rep, err := sk.Send(progress, events)
					p.resent.Add(int64(rep.Resent))
					errs[i] = err
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				if sink.IsFatal(err) {
					p.in.Log.WithError(err).Error("a sink cannot take events; stopping")
					p.q.fail(err)
					fatal(err)
					return
				}
				p.in.Log.WithField("events", len(events)).WithError(err).Warn("delivery given up at shutdown; these events are not checkpointed and will be read again")
				p.q.fail(err)
				return
			}
		}
		if err := p.in.SaveAll(saved); err != nil {
			p.in.Log.WithError(err).Error("cannot write the checkpoint; stopping")
			p.q.fail(err)
			fatal(fmt.Errorf("%w: %w", eksinput.ErrFatal, err))
			return
		}
		p.acked.Add(int64(len(events)))
		p.q.release(bytes)
		p.stall.end()
	}
}

// serveHealth serves GET /healthz when health_listen is set: 200 while at
// least one input completed a poll within 3 × its poll_interval (or,
// before the first poll, since the start) and no input's delivery is
// stalled, else 503; the body says which.
func (s *service) serveHealth() func() {
	if s.cfg.HealthListen == "" {
		return func() {}
	}
	started := time.Now()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		type status struct {
			LastPoll string `json:"last_poll,omitempty"`
			Fresh    bool   `json:"fresh"`
			// NoDeliverySince: events have waited for the sinks since then
			// without any becoming durable.
			NoDeliverySince string `json:"no_delivery_since,omitempty"`
			DeliveryStalled bool   `json:"delivery_stalled"`
		}
		out := map[string]status{}
		polling, stalled := false, false
		now := time.Now()
		for _, p := range s.inputs {
			last := p.in.LastPoll()
			ref := last
			if ref.IsZero() {
				ref = started
			}
			st := status{Fresh: now.Sub(ref) <= 3*p.in.Cfg.PollInterval}
			polling = polling || st.Fresh
			if !last.IsZero() {
				st.LastPoll = last.UTC().Format(time.RFC3339Nano)
			}
			if since, stuck := p.stall.status(now); !since.IsZero() {
				st.NoDeliverySince = since.UTC().Format(time.RFC3339Nano)
				st.DeliveryStalled = stuck
				stalled = stalled || stuck
			}
			out[p.in.Cfg.Name()] = st
		}
		healthy := polling && !stalled
		w.Header().Set("Content-Type", "application/json")
		if !healthy {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": healthy, "inputs": out})
	})
	l, err := net.Listen("tcp", s.cfg.HealthListen)
	if err != nil {
		s.log.WithError(err).WithField("health_listen", s.cfg.HealthListen).Error("cannot serve /healthz")
		return func() {}
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	s.log.WithField("health_listen", l.Addr().String()).Info("serving /healthz")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}
}
