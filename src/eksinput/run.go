package eksinput

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch"
	"github.com/kubelens/kubelens/src/modinput"
	"github.com/kubelens/kubelens/src/splunkd"
	"github.com/sirupsen/logrus"
)

// runner is one stanza's input process.
type runner struct {
	cfg     Config
	in      *modinput.Input
	log     *logrus.Logger
	entry   *logrus.Entry
	store   *checkpoint.Store
	ew      *modinput.EventWriter
	queries []query
	now     func() time.Time
}

type query struct {
	q   cloudwatch.Query
	cur *cloudwatch.Cursor
}

// run is run mode: it streams events until ctx is cancelled, then writes
// </stream> and returns 0. Configuration problems return 1 after an ERROR.
func run(ctx context.Context, stdin io.Reader, stdout io.Writer, log *logrus.Logger) int {
	in, err := modinput.ParseInput(stdin)
	if err != nil {
		log.WithError(err).Error("cannot read the input configuration from stdin")
		return 1
	}
	switch len(in.Stanzas) {
	case 0:
		log.Warn("no eks_logs stanza in the configuration; nothing to do")
		ew := modinput.NewEventWriter(stdout)
		ew.Close()
		return 0
	case 1:
	default:
		log.WithField("stanzas", len(in.Stanzas)).Error("eks_logs runs one process per stanza (use_single_instance=false) but was given several")
		return 1
	}
	r := &runner{in: in, log: log, now: time.Now}
	cfg, err := ParseConfig(in.Stanzas[0], r.now())
	if err != nil {
		log.WithField("stanza", in.Stanzas[0].Name).WithError(err).Error("invalid input configuration")
		return 1
	}
	log.SetLevel(cfg.LogLevel)
	r.cfg = cfg
	r.entry = log.WithField("stanza", cfg.Stanza)
	for _, p := range cfg.Unknown {
		r.entry.WithField("param", p).Warn("unknown parameter ignored")
	}
	if !logGroupLooksEKS(cfg.LogGroup) {
		r.entry.WithField("log_group", cfg.LogGroup).Warn("log group is not of the form /aws/eks/<cluster>/cluster; reading it anyway")
	}
	if err := r.open(); err != nil {
		r.entry.WithError(err).Error("cannot open the checkpoint")
		return 1
	}
	defer r.store.Close()
	r.ew = modinput.NewEventWriter(stdout)
	code := r.loop(ctx)
	if err := r.ew.Close(); err != nil && code == 0 {
		r.entry.WithError(err).Error("cannot finish the event stream")
		code = 1
	}
	r.entry.WithField("exit_code", code).Info("eks_logs stopped")
	return code
}

func logGroupLooksEKS(g string) bool {
	rest, ok := strings.CutPrefix(g, "/aws/eks/")
	name, ok2 := strings.CutSuffix(rest, "/cluster")
	return ok && ok2 && name != "" && !strings.Contains(name, "/")
}

// open locks and loads the checkpoint, reporting every file it could not
// use, and builds one cursor per log type.
func (r *runner) open() error {
	if r.in.CheckpointDir == "" {
		return errors.New("no checkpoint_dir in the configuration")
	}
	store, err := checkpoint.Open(r.in.CheckpointDir, r.cfg.Stanza)
	if err != nil {
		return err
	}
	r.store = store
	st, res, err := store.Load()
	if err != nil {
		store.Close()
		return err
	}
	for _, p := range res.Problems {
		e := r.entry.WithField("file", p.File).WithError(p.Err)
		if p.MovedTo != "" {
			e = e.WithField("moved_to", p.MovedTo)
		}
		e.Error("checkpoint file is unusable; it was set aside")
	}
	start := r.cfg.StartFrom.Resolve(r.now())
	switch {
	case res.Source == "previous":
		r.entry.WithField("file", res.File).Error("resuming from the previous good checkpoint copy; events after it may be emitted again")
	case res.Source == "none" && len(res.Problems) > 0:
		r.entry.WithField("start_ms", start).Error("no valid checkpoint left; starting again from start_from: events may be missed or emitted again")
	case res.Source == "none":
		r.entry.WithField("start_ms", start).Info("no checkpoint yet; starting from start_from")
	default:
		r.entry.WithField("file", res.File).Debug("checkpoint loaded")
	}
	for _, lt := range r.cfg.LogTypes {
		q := cloudwatch.Query{LogGroup: r.cfg.LogGroup, Prefix: lt.Prefix, ExcludePrefix: lt.ExcludePrefix}
		var cur *cloudwatch.Cursor
		if c := st.Find(q.LogGroup, q.Prefix); c != nil {
			seen := make([]cloudwatch.SeenIDs, len(c.Seen))
			for i, b := range c.Seen {
				seen[i] = cloudwatch.SeenIDs{Timestamp: b.Timestamp, Hashes: b.IDs}
			}
			cur = cloudwatch.RestoreCursor(c.Watermark, c.Floor, seen)
		} else {
			cur = cloudwatch.NewCursor(start)
		}
		r.queries = append(r.queries, query{q: q, cur: cur})
	}
	return nil
}

// Emit writes a page's events; each is flushed before Emit returns, so the
// checkpoint that follows covers only delivered events.
func (r *runner) Emit(evs []cloudwatch.Event) error {
	for _, e := range evs {
		err := r.ew.Write(modinput.Event{
			Stanza:     r.cfg.Stanza,
			TimeMillis: e.Timestamp,
			Source:     r.cfg.Region + ":" + e.LogGroup + ":" + e.Stream,
			SourceType: r.cfg.SourceType,
			Index:      r.cfg.Index,
			Host:       r.cfg.Host,
			Data:       e.Message,
		})
		if err != nil {
			return fmt.Errorf("%w: %w", errEmit, err)
		}
	}
	return nil
}

// Commit saves every cursor of the stanza.
func (r *runner) Commit() error {
	st := checkpoint.State{Stanza: r.cfg.Stanza}
	for _, q := range r.queries {
		c := checkpoint.Cursor{LogGroup: q.q.LogGroup, Prefix: q.q.Prefix, Watermark: q.cur.Watermark, Floor: q.cur.Floor}
		for _, s := range q.cur.Seen() {
			c.Seen = append(c.Seen, checkpoint.Bucket{Timestamp: s.Timestamp, IDs: s.Hashes})
		}
		st.Cursors = append(st.Cursors, c)
	}
	if err := r.store.Save(st); err != nil {
		return &commitError{err}
	}
	return nil
}

// loop polls every poll_interval until ctx is cancelled. Errors never end
// it: they are logged and the next poll tries again. Only a broken stdout
// (splunkd gone) or an unwritable checkpoint ends it with 1.
func (r *runner) loop(ctx context.Context) int {
	var client *cloudwatch.Client
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return 0
		case <-timer.C:
		}
		if client == nil {
			c, err := r.newClient(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return 0
				}
				r.entry.WithError(err).Error("cannot set up the AWS client; retrying at the next poll")
				// Still one health line per poll: the growing watermark lag
				// is what an alert on index=_internal should catch.
				r.health(r.now(), cloudwatch.PollStats{}, cloudwatch.Counters{}, 1)
				timer.Reset(r.cfg.PollInterval)
				continue
			}
			client = c
		}
		if fatal := r.poll(ctx, client); fatal {
			return 1
		}
		timer.Reset(r.cfg.PollInterval)
	}
}

// poll runs every query once and writes the health line. It reports
// whether the process must stop.
func (r *runner) poll(ctx context.Context, client *cloudwatch.Client) (fatal bool) {
	started := r.now()
	p := cloudwatch.NewPuller(client, cloudwatch.PullerConfig{Overlap: r.cfg.Overlap, Lag: r.cfg.Lag, Now: r.now})
	var total cloudwatch.PollStats
	errs := 0
	for _, q := range r.queries {
		st, err := p.Poll(ctx, q.q, q.cur, r)
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
		e := r.entry.WithField("log_group", q.q.LogGroup).WithField("prefix", q.q.Prefix).WithError(err)
		var ckErr *commitError
		switch {
		case errors.As(err, &ckErr):
			e.Error("cannot write the checkpoint; stopping so that splunkd restarts the input")
			return true
		case errors.Is(err, errEmit):
			e.Error("cannot write events to stdout; stopping")
			return true
		case errors.Is(err, cloudwatch.ErrLogGroupNotFound):
			e.Error("log group does not exist; retrying at the next poll")
		case cloudwatch.IsThrottle(err):
			e.Warn("still throttled after all retries; retrying at the next poll")
		default:
			e.Error("poll failed; retrying at the next poll")
		}
	}
	r.health(started, total, client.Take(), errs)
	return false
}

// health writes the per-poll INFO line admins chart and alert on.
func (r *runner) health(started time.Time, total cloudwatch.PollStats, counters cloudwatch.Counters, errs int) {
	now := r.now()
	oldest := int64(-1)
	for _, q := range r.queries {
		if oldest < 0 || q.cur.Watermark < oldest {
			oldest = q.cur.Watermark
		}
	}
	fields := logrus.Fields{
		"events":                total.Emitted,
		"duplicates":            total.Duplicates,
		"throttles":             counters.Throttles,
		"server_errors":         counters.ServerErrors,
		"truncated":             total.Truncated,
		"late_recovered":        total.Late,
		"beyond_overlap":        total.BeyondOverlap,
		"filtered":              total.Filtered,
		"pages":                 total.Pages,
		"empty_pages":           total.EmptyPages,
		"api_calls":             counters.Attempts,
		"errors":                errs,
		"watermark_lag_seconds": fmt.Sprintf("%.3f", float64(now.UnixMilli()-oldest)/1000),
		"duration_ms":           now.Sub(started).Milliseconds(),
	}
	r.entry.WithFields(fields).Info("poll done")
	if total.BeyondOverlap > 0 {
		r.entry.WithField("events", total.BeyondOverlap).Warn("events arrived later than lag+overlap after their timestamp; events that late can be missed: consider a larger overlap")
	}
}

// errEmit marks a failure to write to stdout.
var errEmit = errors.New("event stream write failed")

type commitError struct{ err error }

func (e *commitError) Error() string { return e.err.Error() }
func (e *commitError) Unwrap() error { return e.err }

// newClient resolves the credentials and builds the SDK client.
func (r *runner) newClient(ctx context.Context) (*cloudwatch.Client, error) {
	cc := cloudwatch.ClientConfig{
		Region: r.cfg.Region, Endpoint: r.cfg.EndpointURL, RoleARN: r.cfg.RoleARN, ExternalID: r.cfg.ExternalID,
		CallsPerSecond: r.cfg.MaxCallsPerSecond, MaxBackoff: r.cfg.MaxBackoff, Log: r.entry,
	}
	if r.cfg.AWSAccount != "" {
		keyID, secret, err := readAccount(ctx, r.in.ServerURI, r.in.SessionKey, r.cfg.AWSAccount)
		if err != nil {
			return nil, err
		}
		cc.AccessKeyID, cc.SecretAccessKey = keyID, secret
	}
	return cloudwatch.NewClient(ctx, cc)
}

// accountSecret is the JSON stored as the clear password of an account.
type accountSecret struct {
	KeyID     string `json:"key_id"`
	SecretKey string `json:"secret_key"`
}

// readAccount fetches an account's keys from storage/passwords.
func readAccount(ctx context.Context, serverURI, sessionKey, account string) (string, string, error) {
	c, err := splunkd.NewWithSessionKey(serverURI, sessionKey, splunkd.Options{})
	if err != nil {
		return "", "", fmt.Errorf("aws_account %q: %w", account, err)
	}
	pw, err := c.GetPassword(ctx, CredentialApp, CredentialRealm, account)
	if errors.Is(err, splunkd.ErrNotFound) {
		return "", "", fmt.Errorf("aws_account %q: no such account in storage/passwords (realm %s, app %s); store it with 'eks_logs credentials set --account %s'", account, CredentialRealm, CredentialApp, account)
	}
	if err != nil {
		return "", "", fmt.Errorf("aws_account %q: %w", account, err)
	}
	var s accountSecret
	if err := json.Unmarshal([]byte(pw), &s); err != nil || s.KeyID == "" || s.SecretKey == "" {
		// Never quote the stored value: it is the secret.
		return "", "", fmt.Errorf("aws_account %q: the stored secret is not JSON with key_id and secret_key; store it again with 'eks_logs credentials set'", account)
	}
	return s.KeyID, s.SecretKey, nil
}
