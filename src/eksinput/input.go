package eksinput

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch"
	"github.com/kubelens/kubelens/src/eks"
	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/kubelens/kubelens/src/sink"
	"github.com/sirupsen/logrus"
	"golang.org/x/time/rate"
)

// Input is one input at run time, the core both shells drive: its
// configuration, its locked checkpoint and one cursor per log type, the
// poll loop and the health line. The modular input delivers each page to
// splunkd before saving it; the service queues pages to its sinks and
// saves them once every sink has them.
type Input struct {
	Cfg eksconf.Input
	Log *logrus.Entry
	// Shared, when set, is the FilterLogEvents limiter of the inputs that
	// read the same account and Region (the service's).
	Shared *rate.Limiter
	// Keys, when set, returns static AWS keys (the modular input's
	// aws_account); otherwise the default credential chain applies.
	Keys func(ctx context.Context) (keyID, secret string, err error)
	// HealthFields, when set, adds fields to each "poll done" line.
	HealthFields func() logrus.Fields

	store   *checkpoint.Store
	state   checkpoint.State
	queries []query
	now     func() time.Time
	// lastPoll is when a poll last completed (unix ns), for /healthz.
	lastPoll atomic.Int64
	// warnedSize: the large-checkpoint warning was logged (once a run).
	warnedSize bool
}

type query struct {
	q   cloudwatch.Query
	cur *cloudwatch.Cursor
}

// Open locks and loads the input's checkpoint in dir, reporting every file
// it could not use and removing the temp files of a save that was killed,
// and builds one cursor per log type. Close releases the lock.
func (in *Input) Open(dir string) error {
	if in.now == nil {
		in.now = time.Now
	}
	if dir == "" {
		return errors.New("eksinput: no checkpoint directory")
	}
	store, err := checkpoint.Open(dir, in.Cfg.Stanza)
	if err != nil {
		return err
	}
	in.store = store
	removed, err := store.RemoveStaleTemp()
	for _, f := range removed {
		in.Log.WithField("file", f).Info("removed a temporary checkpoint file left by a save that was interrupted")
	}
	if err != nil {
		in.Log.WithError(err).Warn("cannot remove a stale temporary checkpoint file")
	}
	st, res, err := store.Load()
	if err != nil {
		store.Close()
		return err
	}
	for _, p := range res.Problems {
		e := in.Log.WithField("file", p.File).WithError(p.Err)
		if p.MovedTo != "" {
			e = e.WithField("moved_to", p.MovedTo)
		}
		e.Error("checkpoint file is unusable; it was set aside")
	}
	start := in.Cfg.StartFrom.Resolve(in.now())
	switch {
	case res.Source == "previous":
		in.Log.WithField("file", res.File).Error("resuming from the previous good checkpoint copy; events after it may be emitted again")
	case res.Source == "none" && len(res.Problems) > 0:
		in.Log.WithField("start_ms", start).Error("no valid checkpoint left; starting again from start_from: events may be missed or emitted again")
	case res.Source == "none":
		in.Log.WithField("start_ms", start).Info("no checkpoint yet; starting from start_from")
	default:
		in.Log.WithField("file", res.File).WithField("journal_records", res.Journal.Records).Debug("checkpoint loaded")
	}
	switch j := res.Journal; j.Stop {
	case checkpoint.JournalTorn:
		// The normal trace of a kill in the middle of a save: the page of
		// that save was delivered, not checkpointed.
		in.Log.WithField("file", j.File).WithField("journal_records", j.Records).
			Info("the checkpoint journal ends in a save cut short (the input was stopped while saving a page): resuming from the save before it; that page's events may be emitted again")
	case checkpoint.JournalStale:
		in.Log.WithField("file", j.File).Debug("the checkpoint journal follows an older base and is ignored")
	case checkpoint.JournalDamaged:
		e := in.Log.WithField("file", j.File).WithField("journal_records", j.Records).WithError(j.Err)
		if j.MovedTo != "" {
			e = e.WithField("moved_to", j.MovedTo)
		}
		e.Error("the checkpoint journal has a damaged record; resuming from the records before it (it was set aside): events after it may be emitted again")
	}
	in.state = checkpoint.State{Stanza: in.Cfg.Stanza}
	overlap := in.Cfg.Overlap.Milliseconds()
	adopted := map[*checkpoint.Cursor]bool{}
	for _, lt := range in.Cfg.LogTypes {
		q := cloudwatch.QueryOf(in.Cfg.LogGroup, lt)
		q.Region, q.Principal, q.Endpoint = in.Cfg.Region, in.Cfg.Principal(), in.Cfg.EndpointKey()
		key := q.Key()
		var cur *cloudwatch.Cursor
		e := in.Log.WithField("log_group", q.LogGroup).WithField("prefix", q.Prefix)
		if c := st.Find(key); c != nil {
			cur = cloudwatch.RestoreCursor(*c)
		} else if c := st.FindLegacy(q.LogGroup, q.Prefix); c != nil {
			// Saved before cursors carried their source: it is taken to be
			// this input's (the configuration it was saved under is not
			// known), as it was before. Its IDs were kept for the overlap
			// before the watermark: assume the overlap did not change.
			saved := *c
			saved.SeenFrom = max(saved.Watermark-overlap, saved.Floor, 0)
			cur = cloudwatch.RestoreCursor(saved)
			adopted[c] = true
			e.WithField("source", key.String()).Info("checkpoint cursor saved by an earlier version, without its source: adopted for this input's source")
		} else {
			cur = cloudwatch.NewCursor(start)
			for i := range st.Cursors {
				if o := &st.Cursors[i]; !o.Legacy() && o.LogGroup == q.LogGroup && o.Prefix == q.Prefix {
					e.WithField("checkpoint_source", o.Key().String()).WithField("start_ms", start).
						Warn("the checkpoint holds a cursor of this log group and prefix for another source (aws_region, role_arn, aws_account or endpoint_url changed); this source starts from start_from, and the other cursor is kept")
				}
			}
		}
		in.state.Cursors = append(in.state.Cursors, cur.Saved(q, overlap))
		in.queries = append(in.queries, query{q: q, cur: cur})
	}
	// Cursors of log types or sources no longer configured are kept, so
	// configuring them back resumes where they were.
	for i := range st.Cursors {
		c := &st.Cursors[i]
		if !adopted[c] && in.state.Find(c.Key()) == nil {
			in.state.Cursors = append(in.state.Cursors, *c)
		}
	}
	// Before anything is emitted: a checkpoint that cannot be saved would
	// have every restart emit the same page again.
	if err := store.ProveWritable(in.state); err != nil {
		store.Close()
		in.store = nil
		return fmt.Errorf("eksinput: the checkpoint cannot be saved, so nothing is read (events read now could not be checkpointed and would be emitted again at every restart): %w", err)
	}
	return nil
}

// Close releases the checkpoint lock.
func (in *Input) Close() error {
	if in.store == nil {
		return nil
	}
	return in.store.Close()
}

// Save records one cursor and writes the input's checkpoint. Only one
// goroutine may call it (the one that delivers).
func (in *Input) Save(saved checkpoint.Cursor) error {
	if c := in.state.Find(saved.Key()); c != nil {
		*c = saved
	} else {
		in.state.Cursors = append(in.state.Cursors, saved)
	}
	if err := in.store.Save(in.state); err != nil {
		return &CommitError{err}
	}
	if n := in.store.LastSize(); n > checkpoint.MaxFileSize/4 && !in.warnedSize {
		in.warnedSize = true
		in.Log.WithFields(logrus.Fields{"checkpoint_bytes": n, "limit_bytes": checkpoint.MaxFileSize}).
			Warn("the checkpoint is large: it holds the ID of every event emitted within overlap + sweep_interval; past the limit it cannot be read back at the next start (it is set aside and the input starts again from start_from). Lower overlap, or sweep_interval (which costs more calls), for this log group")
	}
	return nil
}

// SaveAll records several cursors and writes the checkpoint once.
func (in *Input) SaveAll(saved []checkpoint.Cursor) error {
	if len(saved) == 0 {
		return nil
	}
	for _, c := range saved[:len(saved)-1] {
		if cur := in.state.Find(c.Key()); cur != nil {
			*cur = c
		} else {
			in.state.Cursors = append(in.state.Cursors, c)
		}
	}
	return in.Save(saved[len(saved)-1])
}

// SinkEvents turns a page into the events sinks take.
func (in *Input) SinkEvents(evs []cloudwatch.Event) []sink.Event {
	out := make([]sink.Event, len(evs))
	for i, e := range evs {
		out[i] = sink.Event{TimeMillis: e.Timestamp, Host: in.Cfg.Host, Source: eks.SourceOf(in.Cfg.Region, e.LogGroup, e.Stream),
			SourceType: in.Cfg.SourceType, Index: in.Cfg.Index, Data: e.Message, ID: e.ID}
	}
	return out
}

// LastPoll returns when a poll last completed (zero before the first).
func (in *Input) LastPoll() time.Time {
	if ns := in.lastPoll.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// ErrFatal wraps what ends an input's loop with exit code 1.
var ErrFatal = errors.New("eksinput: fatal")

// Run polls every poll_interval, handing pages to h, until ctx is
// cancelled (nil) or something fatal happens (an error wrapping ErrFatal).
// With once, it polls once and returns: nil if every query was read to
// its end.
func (in *Input) Run(ctx context.Context, h cloudwatch.Handler, once bool) error {
	var client *cloudwatch.Client
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		if client == nil {
			c, err := in.newClient(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				in.Log.WithError(err).Error("cannot set up the AWS client; retrying at the next poll")
				// Still one health line per poll: the growing watermark lag
				// is what an alert should catch.
				in.health(in.now(), cloudwatch.PollStats{}, 0, cloudwatch.Counters{}, 1)
				if once {
					return fmt.Errorf("%w: %w", errIncomplete, err)
				}
				timer.Reset(in.Cfg.PollInterval)
				continue
			}
			client = c
		}
		errs, err := in.poll(ctx, client, h)
		if err != nil {
			return err
		}
		if once {
			if errs > 0 {
				return errIncomplete
			}
			return nil
		}
		timer.Reset(in.Cfg.PollInterval)
	}
}

// errIncomplete: a --once run could not read everything.
var errIncomplete = errors.New("eksinput: not every query could be read to its end; see the errors above")

// poll runs every query once and writes the health line. It returns the
// number of queries that failed, or a fatal error.
func (in *Input) poll(ctx context.Context, client *cloudwatch.Client, h cloudwatch.Handler) (int, error) {
	started := in.now()
	p := cloudwatch.NewPuller(client, cloudwatch.PullerConfig{Overlap: in.Cfg.Overlap, SweepInterval: in.Cfg.SweepInterval, Lag: in.Cfg.Lag, Now: in.now})
	var total cloudwatch.PollStats
	errs, sweeps := 0, 0
	for _, q := range in.queries {
		st, err := p.Poll(ctx, q.q, q.cur, h)
		if st.Sweep {
			sweeps++
		}
		if st.ClockAhead > 0 {
			in.Log.WithFields(logrus.Fields{"log_group": q.q.LogGroup, "prefix": q.q.Prefix,
				"ahead_seconds": fmt.Sprintf("%.3f", st.ClockAhead.Seconds()), "resume_at": msTime(st.RewoundTo)}).
				Warn("the checkpoint's watermark is ahead of this host's clock (the clock was ahead when it was saved, or has been set back): reading again from the newest event emitted, or now - lag if older; events whose IDs are no longer remembered may be emitted twice, none is skipped. Check the host's time synchronisation (NTP)")
		}
		total.Pages += st.Pages
		total.EmptyPages += st.EmptyPages
		total.Emitted += st.Emitted
		total.Duplicates += st.Duplicates
		total.Filtered += st.Filtered
		total.Truncated += st.Truncated
		total.Late += st.Late
		total.BeyondOverlap += st.BeyondOverlap
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			break // shutting down: the call in flight was abandoned, nothing was lost
		}
		errs++
		e := in.Log.WithField("log_group", q.q.LogGroup).WithField("prefix", q.q.Prefix).WithError(err)
		var ckErr *CommitError
		switch {
		case errors.As(err, &ckErr):
			e.Error("cannot write the checkpoint; stopping")
			return errs, fmt.Errorf("%w: %w", ErrFatal, err)
		case sink.IsFatal(err):
			e.Error("a sink cannot take events; stopping")
			return errs, fmt.Errorf("%w: %w", ErrFatal, err)
		case errors.Is(err, cloudwatch.ErrLogGroupNotFound):
			e.Error("log group does not exist; retrying at the next poll")
		case cloudwatch.IsThrottle(err):
			e.Warn("still throttled after all retries; retrying at the next poll")
		case cloudwatch.IsNoCredentials(err):
			e.Error("no AWS credentials found (environment, AWS_PROFILE, shared config, a pod or instance role); retrying at the next poll")
		default:
			e.Error("poll failed; retrying at the next poll")
		}
	}
	in.health(started, total, sweeps, client.Take(), errs)
	in.lastPoll.Store(in.now().UnixNano())
	return errs, nil
}

// health writes the per-poll INFO line admins chart and alert on; sweeps
// is how many of the queries were late sweeps.
func (in *Input) health(started time.Time, total cloudwatch.PollStats, sweeps int, counters cloudwatch.Counters, errs int) {
	now := in.now()
	oldest := int64(-1)
	for _, q := range in.queries {
		if oldest < 0 || q.cur.Watermark < oldest {
			oldest = q.cur.Watermark
		}
	}
	fields := logrus.Fields{
		"events":                total.Emitted,
		"duplicates":            total.Duplicates,
		"throttles":             counters.Throttles,
		"server_errors":         counters.ServerErrors + counters.Timeouts, // a stalled attempt is a server error too
		"truncated":             total.Truncated,
		"late_recovered":        total.Late,
		"sweeps":                sweeps,
		"beyond_overlap":        total.BeyondOverlap,
		"filtered":              total.Filtered,
		"pages":                 total.Pages,
		"empty_pages":           total.EmptyPages,
		"api_calls":             counters.Attempts,
		"errors":                errs,
		"watermark_lag_seconds": fmt.Sprintf("%.3f", float64(now.UnixMilli()-oldest)/1000),
		"duration_ms":           now.Sub(started).Milliseconds(),
	}
	if in.HealthFields != nil {
		for k, v := range in.HealthFields() {
			fields[k] = v
		}
	}
	in.Log.WithFields(fields).Info("poll done")
	if total.BeyondOverlap > 0 {
		in.Log.WithField("events", total.BeyondOverlap).Warn("events arrived later than lag+overlap after their timestamp; events that late can be missed: consider a larger overlap")
	}
}

// CommitError is a checkpoint that could not be written.
type CommitError struct{ err error }

func (e *CommitError) Error() string { return e.err.Error() }
func (e *CommitError) Unwrap() error { return e.err }

// newClient resolves the credentials and builds the SDK client.
func (in *Input) newClient(ctx context.Context) (*cloudwatch.Client, error) {
	cc := cloudwatch.ClientConfig{
		Region: in.Cfg.Region, Endpoint: in.Cfg.EndpointURL, RoleARN: in.Cfg.RoleARN, ExternalID: in.Cfg.ExternalID,
		CallsPerSecond: in.Cfg.MaxCallsPerSecond, MaxBackoff: in.Cfg.MaxBackoff, AttemptTimeout: in.Cfg.CallTimeout,
		Shared: in.Shared, Log: in.Log,
	}
	if in.Keys != nil {
		keyID, secret, err := in.Keys(ctx)
		if err != nil {
			return nil, err
		}
		cc.AccessKeyID, cc.SecretAccessKey = keyID, secret
	}
	return cloudwatch.NewClient(ctx, cc)
}

// SyncHandler delivers each page to one sink and saves the cursor before
// returning: the modular input's handler, under which a crash repeats at
// most the page in hand.
type SyncHandler struct {
	In   *Input
	Sink sink.Sink
}

// Page implements cloudwatch.Handler.
func (h SyncHandler) Page(ctx context.Context, evs []cloudwatch.Event, saved checkpoint.Cursor) error {
	if len(evs) > 0 {
		// The page in hand is written even when ctx is being cancelled
		// (SIGTERM): the XML writer does not wait on anything.
		if _, err := h.Sink.Send(ctx, h.In.SinkEvents(evs)); err != nil {
			return err
		}
	}
	return h.In.Save(saved)
}
