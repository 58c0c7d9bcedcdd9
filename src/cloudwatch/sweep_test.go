package cloudwatch_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch"
	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
)

var auditQuery = cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-audit-", Region: "us-east-1"}

// sweepConfig is the eks_logs default windowing: overlap 10m, lag 1m, a
// late sweep every 5m.
func sweepConfig(now func() time.Time) cloudwatch.PullerConfig {
	return cloudwatch.PullerConfig{Overlap: 10 * time.Minute, Lag: time.Minute, SweepInterval: 5 * time.Minute, Now: now}
}

// TestPoll_SweepsEverySweepInterval verifies the schedule and the windows:
// a new cursor's first poll sweeps, the polls after it start at the
// watermark, and once the window end has run SweepInterval past the mark a
// poll starts overlap before the mark; every event is emitted once.
func TestPoll_SweepsEverySweepInterval(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now))
	defer srv.Close()
	p := cloudwatch.NewPuller(newClient(t, srv, nil), sweepConfig(clk.Now))
	floor := clk.Now().Add(-time.Hour).UnixMilli()
	cur := cloudwatch.NewCursor(floor)
	rec := &recorder{}
	var put1 []cwfake.Event
	for i := range 25 {
		put1 = append(put1, put(srv, 20, 2, clk.Now().Add(-30*time.Second), "kube-apiserver-audit-")...)
		wm, from, n := cur.Watermark, cur.SweepFrom, len(srv.Requests())
		st, err := p.Poll(t.Context(), auditQuery, cur, rec)
		if err != nil {
			t.Fatal(err)
		}
		wantSweep := i%10 == 0 // every 5m of 30s polls
		want := wm
		switch {
		case i == 0:
			want = floor
		case wantSweep:
			want = from
			if prevEnd := clk.Now().Add(-time.Minute - 5*time.Minute).UnixMilli(); from != prevEnd-(10*time.Minute).Milliseconds() {
				t.Fatalf("poll %d: the sweep starts at %d, not overlap before the previous sweep's window end %d", i, from, prevEnd)
			}
		}
		if got := *srv.Requests()[n].StartTime; st.Sweep != wantSweep || got != want {
			t.Fatalf("poll %d: sweep %v start %d, want sweep %v start %d (watermark %d, sweep_from %d)", i, st.Sweep, got, wantSweep, want, wm, from)
		}
		if end := clk.Now().Add(-time.Minute).UnixMilli(); wantSweep && cur.SweepFrom != end-(10*time.Minute).Milliseconds() {
			t.Fatalf("poll %d: sweep_from %d after a complete sweep, want overlap before the window end %d", i, cur.SweepFrom, end)
		}
		clk.Add(30 * time.Second)
	}
	due := 0
	for _, e := range put1 {
		if e.Timestamp <= cur.Watermark {
			due++
		}
	}
	if len(rec.events) != due || len(rec.dupes()) != 0 {
		t.Fatalf("emitted %d (dupes %d), want %d", len(rec.events), len(rec.dupes()), due)
	}
}

// TestPoll_LateEventWaitsForTheSweep verifies that an event ingested after
// the watermark passed its timestamp is not seen by the polls that start
// at the watermark, and is emitted once by the next sweep.
func TestPoll_LateEventWaitsForTheSweep(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now))
	defer srv.Close()
	put(srv, 10, 2, clk.Now().Add(-5*time.Minute), "kube-apiserver-audit-")
	p := cloudwatch.NewPuller(newClient(t, srv, nil), sweepConfig(clk.Now))
	cur := cloudwatch.NewCursor(clk.Now().Add(-time.Hour).UnixMilli())
	rec := &recorder{}
	if st, err := p.Poll(t.Context(), auditQuery, cur, rec); err != nil || !st.Sweep || len(rec.events) != 10 {
		t.Fatalf("first poll: sweep %v, %d events, err %v", st.Sweep, len(rec.events), err)
	}
	clk.Add(30 * time.Second)
	late := srv.Put(cwfake.Event{Group: group, Stream: "kube-apiserver-audit-late", Timestamp: cur.Watermark - (3 * time.Minute).Milliseconds(), Message: "late"})[0]
	polls := 0
	for ; polls < 20; polls++ {
		st, err := p.Poll(t.Context(), auditQuery, cur, rec)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Sweep {
			if len(rec.events) != 10 {
				t.Fatalf("poll %d read behind the watermark without sweeping", polls)
			}
			clk.Add(30 * time.Second)
			continue
		}
		if len(rec.events) != 11 || rec.events[10].ID != late.ID || st.Late != 1 {
			t.Fatalf("sweep: %d events (late %d), want the late one", len(rec.events), st.Late)
		}
		break
	}
	if polls != 9 { // the window end reaches mark + 5m at the tenth 30s step
		t.Errorf("the sweep came after %d polls, want 9", polls)
	}
	if len(rec.dupes()) != 0 {
		t.Errorf("duplicates: %v", rec.dupes())
	}
}

// TestPoll_SweepsCutReReads measures what the sweeps buy: the same steady
// stream read for two hours with a sweep on every poll (as before sweeps)
// and with one every 5 minutes. Each event is served about
// (overlap + poll_interval) / poll_interval times in the first case, and
// about 2 + overlap / sweep_interval times in the second (once from the
// watermark, then by the sweeps whose window covers it), the factors the
// README's sizing section gives.
func TestPoll_SweepsCutReReads(t *testing.T) {
	served := func(sweep time.Duration) (perEvent float64) {
		clk := &clock{t: time.Unix(1700000000, 0)}
		srv := cwfake.New(cwfake.WithClock(clk.Now))
		defer srv.Close()
		cfg := sweepConfig(clk.Now)
		cfg.SweepInterval = sweep
		p := cloudwatch.NewPuller(newClient(t, srv, nil), cfg)
		cur := cloudwatch.NewCursor(clk.Now().Add(-time.Minute).UnixMilli())
		rec := &recorder{}
		for range 240 {
			put(srv, 10, 2, clk.Now().Add(-30*time.Second), "kube-apiserver-audit-")
			if _, err := p.Poll(t.Context(), auditQuery, cur, rec); err != nil {
				t.Fatal(err)
			}
			clk.Add(30 * time.Second)
		}
		if len(rec.dupes()) != 0 {
			t.Fatalf("sweep %v: duplicates", sweep)
		}
		return float64(srv.Stats().EventsServed) / float64(len(rec.events))
	}
	every, sweeps := served(0), served(5*time.Minute)
	// Two hours of steady state: 21 and 4, less the ramp-up of the first
	// overlap.
	if every < 19 || every > 21 {
		t.Errorf("sweeping on every poll served each event %.1f times, want about (10m + 30s) / 30s = 21", every)
	}
	if sweeps < 3.5 || sweeps > 4.2 {
		t.Errorf("sweeping every 5m served each event %.1f times, want about 2 + 10m / 5m = 4", sweeps)
	}
}

// chaos is a Handler that delivers like recorder and, now and then after
// a page, starts a throttling storm that outlasts the client's retries, so
// that polls (sweeps among them) are cut short at random pages.
type chaos struct {
	*recorder
	srv  *cwfake.Server
	rng  *rand.Rand
	rate float64
}

func (c *chaos) Page(ctx context.Context, evs []cloudwatch.Event, saved checkpoint.Cursor) error {
	err := c.recorder.Page(ctx, evs, saved)
	if c.rng.Float64() < c.rate {
		c.srv.FailNext(2, cwfake.Throttle) // the client's MaxAttempts
	}
	return err
}

// TestPoll_SweepsLoseNothingWithinLagPlusOverlap is the contract of late
// sweeps, on random streams: events ingested up to lag + overlap after
// their timestamp (most at once, some minutes late, some later than the
// bound) while polls are cut short at random pages and the input restarts
// from its saved checkpoint at random. Every event within the bound is
// emitted exactly once, no event twice, and the IDs held stay within what
// overlap + sweep interval + a few polls of events hold.
func TestPoll_SweepsLoseNothingWithinLagPlusOverlap(t *testing.T) {
	const (
		overlap = 10 * time.Minute
		lag     = time.Minute
		sweep   = 3 * time.Minute
	)
	for seed := range uint64(12) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			clk := &clock{t: time.Unix(1700000000, 0)}
			srv := cwfake.New(cwfake.WithClock(clk.Now), cwfake.WithFaults(cwfake.Faults{PageSize: 25, EmptyPageRate: 0.1, Seed: int64(seed)}))
			defer srv.Close()
			c := newClient(t, srv, func(cc *cloudwatch.ClientConfig) { cc.MaxAttempts = 2 })
			p := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{Overlap: overlap, Lag: lag, SweepInterval: sweep, Now: clk.Now})
			floor := clk.Now().UnixMilli()
			cur := cloudwatch.NewCursor(floor)
			rec := &recorder{}
			h := &chaos{recorder: rec, srv: srv, rng: rng, rate: 0.03}
			var within []cwfake.Event
			maxHeld, maxAllowed := 0, 0
			step := func(arrivals bool) {
				now := clk.Now()
				if arrivals {
					for range rng.IntN(40) {
						ts := now.Add(-time.Duration(rng.Int64N(int64(30 * time.Second))))
						var delay time.Duration
						switch r := rng.IntN(100); {
						case r < 75: // on time
							delay = time.Duration(rng.Int64N(int64(lag / 2)))
						case r < 95: // late, within lag + overlap
							delay = lag + time.Duration(rng.Int64N(int64(overlap-time.Second)))
						default: // later than the bound: may be lost
							delay = lag + overlap + time.Minute + time.Duration(rng.Int64N(int64(10*time.Minute)))
						}
						e := srv.Put(cwfake.Event{Group: group, Stream: fmt.Sprintf("kube-apiserver-audit-%d", rng.IntN(3)),
							Timestamp: ts.UnixMilli(), Ingest: ts.Add(delay), Message: "m"})[0]
						if delay <= lag+overlap && ts.UnixMilli() >= floor {
							within = append(within, e)
						}
					}
				}
				if rng.IntN(10) == 0 { // a restart from the saved checkpoint
					if rec.commits == 0 {
						cur = cloudwatch.NewCursor(floor)
					} else {
						cur = reloaded(t, rec.last)
					}
				}
				_, _ = p.Poll(t.Context(), auditQuery, cur, h) // cut short at random: retried by the next polls
				maxHeld = max(maxHeld, cur.Len())
				// What overlap + sweep + lag + two polls of events hold,
				// before the watermark or the newest event emitted when that
				// is older (an idle log group keeps the overlap before it).
				ref := cur.Watermark
				if len(rec.events) > 0 {
					newest := rec.events[0].Timestamp
					for _, e := range rec.events {
						newest = max(newest, e.Timestamp)
					}
					ref = min(ref, newest)
				}
				from := ref - (overlap + sweep + lag + 2*time.Minute).Milliseconds()
				n := 0
				for _, e := range rec.events {
					if e.Timestamp >= from {
						n++
					}
				}
				maxAllowed = max(maxAllowed, n)
				if cur.Len() > n {
					t.Fatalf("%d IDs held, more than the %d events emitted since %d (watermark - seen_from %v, watermark - sweep_from %v)", cur.Len(), n, from, time.Duration(cur.Watermark-cur.SeenFrom)*time.Millisecond, time.Duration(cur.Watermark-cur.SweepFrom)*time.Millisecond)
				}
				clk.Add(10*time.Second + time.Duration(rng.Int64N(int64(40*time.Second))))
			}
			for range 150 { // about 75 minutes of arrivals
				step(true)
			}
			h.rate = 0
			for end := clk.Now().Add(lag + 2*overlap + 2*sweep); clk.Now().Before(end); {
				step(false)
			}
			for id, n := range rec.ids {
				if n > 1 {
					t.Errorf("event %s emitted %d times", id, n)
				}
			}
			lost := 0
			for _, e := range within {
				if rec.ids[e.ID] != 1 {
					lost++
				}
			}
			if lost > 0 {
				t.Fatalf("%d of %d events within lag + overlap never emitted", lost, len(within))
			}
			t.Logf("%d events within the bound, %d emitted; at most %d IDs held (bound %d)", len(within), len(rec.events), maxHeld, maxAllowed)
		})
	}
}

// TestPoll_CutShortSweepsKeepIDsBounded verifies that a sweep cut short
// again and again while it reads far past the watermark (an input back
// from two hours down, throttled every ten pages) still keeps only about
// an overlap of IDs, and catches up with every event once.
func TestPoll_CutShortSweepsKeepIDsBounded(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now), cwfake.WithFaults(cwfake.Faults{PageSize: 100}))
	defer srv.Close()
	c := newClient(t, srv, func(cc *cloudwatch.ClientConfig) { cc.MaxAttempts = 2 })
	p := cloudwatch.NewPuller(c, sweepConfig(clk.Now))
	cur := cloudwatch.NewCursor(clk.Now().Add(-time.Minute).UnixMilli())
	rec := &recorder{}
	srv.CreateGroup(group)
	if _, err := p.Poll(t.Context(), auditQuery, cur, rec); err != nil {
		t.Fatal(err)
	}
	// Two hours down: one event a second arrives meanwhile.
	start := clk.Now()
	var evs []cwfake.Event
	for i := range 7200 {
		evs = append(evs, cwfake.Event{Group: group, Stream: "kube-apiserver-audit-0", Timestamp: start.Add(time.Duration(i) * time.Second).UnixMilli(), Message: "m"})
	}
	srv.Put(evs...)
	clk.Add(2 * time.Hour)
	due := 0 // by the window end, now - lag
	for _, e := range evs {
		if e.Timestamp <= clk.Now().Add(-time.Minute).UnixMilli() {
			due++
		}
	}
	h := &stormEvery{recorder: rec, srv: srv, every: 10}
	maxHeld := 0
	for polls := 0; len(rec.events) < due; polls++ {
		if polls > 200 {
			t.Fatalf("no catch-up after %d polls: %d of %d events", polls, len(rec.events), due)
		}
		st, err := p.Poll(t.Context(), auditQuery, cur, h)
		if err == nil && !st.Complete {
			t.Fatal("poll ended without an error or completing")
		}
		maxHeld = max(maxHeld, cur.Len())
	}
	if len(rec.dupes()) != 0 {
		t.Errorf("duplicates: %d", len(rec.dupes()))
	}
	// An overlap of events (600) plus a page; not the two hours (7200).
	if maxHeld > 600+2*100 {
		t.Errorf("up to %d IDs held while catching up, want about an overlap's 600", maxHeld)
	}
}

// stormEvery throttles beyond the client's retries after every n-th page
// delivered.
type stormEvery struct {
	*recorder
	srv   *cwfake.Server
	every int
	pages int
}

func (s *stormEvery) Page(ctx context.Context, evs []cloudwatch.Event, saved checkpoint.Cursor) error {
	err := s.recorder.Page(ctx, evs, saved)
	if s.pages++; s.pages%s.every == 0 {
		s.srv.FailNext(2, cwfake.Throttle)
	}
	return err
}

// TestPoll_LoweringOverlapAfterCutShortSweep verifies that an input whose
// catch-up sweep was cut short (throttled past the retries, or stopped to
// apply a new configuration) and that comes back with a lower overlap
// reads on from where the sweep stopped: where the next sweep starts is a
// time, not a distance from the end of the sweep's window in the old
// overlap. No on-time event of the catch-up is lost.
func TestPoll_LoweringOverlapAfterCutShortSweep(t *testing.T) {
	for _, lowered := range []time.Duration{0, time.Minute} {
		t.Run(lowered.String(), func(t *testing.T) {
			clk := &clock{t: time.Unix(1700000000, 0)}
			srv := cwfake.New(cwfake.WithClock(clk.Now), cwfake.WithFaults(cwfake.Faults{PageSize: 100}))
			defer srv.Close()
			c := newClient(t, srv, func(cc *cloudwatch.ClientConfig) { cc.MaxAttempts = 2 })
			start := clk.Now()
			var evs []cwfake.Event // one a second for 40 minutes, each visible at its timestamp
			for i := range 2400 {
				ts := start.Add(time.Duration(i) * time.Second)
				evs = append(evs, cwfake.Event{Group: group, Stream: "kube-apiserver-audit-0", Timestamp: ts.UnixMilli(), Ingest: ts, Message: "m"})
			}
			evs = srv.Put(evs...)
			cfg := sweepConfig(clk.Now)
			p := cloudwatch.NewPuller(c, cfg)
			cur := cloudwatch.NewCursor(start.UnixMilli())
			rec := &recorder{}
			clk.Add(2 * time.Minute)
			if _, err := p.Poll(t.Context(), auditQuery, cur, rec); err != nil {
				t.Fatal(err)
			}
			// 18 minutes down; the sweep that catches up is throttled after
			// three pages.
			clk.Add(18 * time.Minute)
			if st, err := p.Poll(t.Context(), auditQuery, cur, &stormEvery{recorder: rec, srv: srv, every: 3}); err == nil || !st.Sweep {
				t.Fatalf("the catch-up: sweep %v, err %v; want a sweep cut short", st.Sweep, err)
			}
			cur = reloaded(t, rec.last)
			cfg.Overlap = lowered
			p = cloudwatch.NewPuller(c, cfg)
			clk.Add(time.Minute)
			for range 60 {
				if _, err := p.Poll(t.Context(), auditQuery, cur, rec); err != nil {
					t.Fatal(err)
				}
				clk.Add(30 * time.Second)
			}
			lost := 0
			for _, e := range evs {
				if e.Timestamp <= cur.Watermark && rec.ids[e.ID] == 0 {
					lost++
				}
			}
			if lost > 0 || len(rec.dupes()) > 0 {
				t.Errorf("overlap 10m -> %v: %d on-time events never emitted, %d twice", lowered, lost, len(rec.dupes()))
			}
		})
	}
}

// TestPoll_RewindKeepsLateEventsWaitingForASweep verifies that a late
// event waiting for the next sweep when the host clock runs ahead and is
// set right is still emitted: the rewind keeps where that sweep starts,
// and sweeps at once.
func TestPoll_RewindKeepsLateEventsWaitingForASweep(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)} // CloudWatch's time, which is right
	var skew time.Duration
	host := func() time.Time { return clk.Now().Add(skew) }
	srv := cwfake.New(cwfake.WithClock(clk.Now))
	defer srv.Close()
	cfg := sweepConfig(host)
	cfg.Lag = 0
	p := cloudwatch.NewPuller(newClient(t, srv, nil), cfg)
	cur := cloudwatch.NewCursor(clk.Now().Add(-time.Hour).UnixMilli())
	rec := &recorder{}
	tick := func() {
		srv.Put(cwfake.Event{Group: group, Stream: "kube-apiserver-audit-0", Timestamp: clk.Now().UnixMilli(), Message: "on time"})
	}
	tick()
	if st, err := p.Poll(t.Context(), auditQuery, cur, rec); err != nil || !st.Sweep {
		t.Fatal(st, err)
	}
	swept := clk.Now()
	clk.Add(10 * time.Second)
	// Ingested now, 9m55s after its timestamp: within lag + overlap.
	late := srv.Put(cwfake.Event{Group: group, Stream: "kube-apiserver-audit-late", Timestamp: swept.Add(-10*time.Minute + 15*time.Second).UnixMilli(), Message: "late"})[0]
	clk.Add(10 * time.Second)
	tick()
	if st, err := p.Poll(t.Context(), auditQuery, cur, rec); err != nil || st.Sweep {
		t.Fatal(st, err)
	}
	skew = 2 * time.Minute // the host clock runs ahead for one poll
	clk.Add(10 * time.Second)
	tick()
	if _, err := p.Poll(t.Context(), auditQuery, cur, rec); err != nil {
		t.Fatal(err)
	}
	skew = 0 // and is set right
	clk.Add(30 * time.Second)
	tick()
	st, err := p.Poll(t.Context(), auditQuery, cur, rec)
	if err != nil || st.ClockAhead == 0 || !st.Sweep {
		t.Fatalf("after the clock was set right: ahead %v, sweep %v, err %v; want a rewind that sweeps", st.ClockAhead, st.Sweep, err)
	}
	if rec.ids[late.ID] != 1 {
		t.Errorf("the event ingested 9m55s late was emitted %d times, want once", rec.ids[late.ID])
	}
}

// TestPoll_EarlierVersionReadsWhatTheSweepWould verifies the checkpoint an
// earlier version resumes from: it ignores where the next sweep starts and
// re-reads the overlap before the watermark on every poll, so the
// watermark is saved no more than the overlap after that start, and a
// late event waiting for the sweep is emitted by the earlier version.
func TestPoll_EarlierVersionReadsWhatTheSweepWould(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now))
	defer srv.Close()
	put(srv, 10, 2, clk.Now().Add(-5*time.Minute), "kube-apiserver-audit-")
	c := newClient(t, srv, nil)
	p := cloudwatch.NewPuller(c, sweepConfig(clk.Now))
	cur := cloudwatch.NewCursor(clk.Now().Add(-time.Hour).UnixMilli())
	rec := &recorder{}
	for range 8 { // a sweep, then seven polls from the watermark: 3.5 minutes on
		if _, err := p.Poll(t.Context(), auditQuery, cur, rec); err != nil {
			t.Fatal(err)
		}
		clk.Add(30 * time.Second)
	}
	// 10m30s behind the watermark, 10m behind the last sweep's window end:
	// the next sweep reads it, a re-read of the overlap before the
	// watermark would not.
	late := srv.Put(cwfake.Event{Group: group, Stream: "kube-apiserver-audit-late", Timestamp: cur.Watermark - (10*time.Minute + 30*time.Second).Milliseconds(), Message: "late"})[0]
	saved := rec.last
	if limit := saved.SweepFrom + (10 * time.Minute).Milliseconds(); saved.Watermark > limit || saved.Watermark >= cur.Watermark {
		t.Fatalf("saved watermark %d, in memory %d: want at most the overlap after the next sweep's start (%d)", saved.Watermark, cur.Watermark, limit)
	}
	saved.SweepFrom, saved.SweptTo = 0, 0 // what an earlier version reads
	earlier := cloudwatch.RestoreCursor(saved)
	everyPoll := sweepConfig(clk.Now)
	everyPoll.SweepInterval = 0
	if _, err := cloudwatch.NewPuller(c, everyPoll).Poll(t.Context(), auditQuery, earlier, rec); err != nil {
		t.Fatal(err)
	}
	if rec.ids[late.ID] != 1 || len(rec.dupes()) != 0 {
		t.Errorf("the earlier version emitted the late event %d times (dupes %v), want once", rec.ids[late.ID], rec.dupes())
	}
}

// reloaded is the cursor an input resumes from once it saved saved: through
// the checkpoint's encoding and back.
func reloaded(t testing.TB, saved checkpoint.Cursor) *cloudwatch.Cursor {
	t.Helper()
	b, err := checkpoint.Encode(checkpoint.State{Stanza: "eks_logs://t", Cursors: []checkpoint.Cursor{saved}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := checkpoint.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return cloudwatch.RestoreCursor(st.Cursors[0])
}
