package cloudwatch_test

import (
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/cloudwatch"
	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
)

// TestPoll_RaisingOverlapReEmitsNothing verifies that a cursor saved with a
// small overlap and resumed with a larger one re-emits none of the events it
// had emitted (their IDs were only kept for the small overlap), still
// recovers a late event inside the old overlap, and widens its re-read to
// the new overlap as the watermark moves on.
func TestPoll_RaisingOverlapReEmitsNothing(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now))
	defer srv.Close()
	now := clk.Now()
	q := cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-audit-", Region: "us-east-1"}
	emitted := put(srv, 200, 4, now.Add(-8*time.Minute), "kube-apiserver-audit-") // 8 min .. 0.6 min ago
	c := newClient(t, srv, nil)
	small := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{Overlap: 30 * time.Second, Now: clk.Now})
	cur := cloudwatch.NewCursor(now.Add(-time.Hour).UnixMilli())
	rec := &recorder{}
	if _, err := small.Poll(t.Context(), q, cur, rec); err != nil || len(rec.events) != len(emitted) {
		t.Fatalf("first poll: %d events, err %v", len(rec.events), err)
	}
	saved := rec.last
	// IDs are kept for the overlap before the newest event emitted.
	if newest := emitted[len(emitted)-1].Timestamp; saved.Region != "us-east-1" || saved.SeenFrom != newest-(30*time.Second).Milliseconds() {
		t.Fatalf("saved cursor: region %q seen_from %d (newest event %d)", saved.Region, saved.SeenFrom, newest)
	}
	// A late event inside the old overlap, then a restart with overlap 10m.
	late := srv.Put(cwfake.Event{Group: group, Stream: "kube-apiserver-audit-late", Timestamp: now.Add(-10 * time.Second).UnixMilli(), Message: "late"})[0]
	clk.Add(5 * time.Second)
	big := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{Overlap: 10 * time.Minute, Now: clk.Now})
	cur2 := cloudwatch.RestoreCursor(saved)
	rec2 := &recorder{}
	if _, err := big.Poll(t.Context(), q, cur2, rec2); err != nil {
		t.Fatal(err)
	}
	if len(rec2.events) != 1 || rec2.events[0].ID != late.ID {
		t.Fatalf("after raising overlap 30s -> 10m: %d events emitted, want only the late one", len(rec2.events))
	}
	reqs := srv.Requests()
	if got, want := *reqs[len(reqs)-1].StartTime, saved.SeenFrom; got != want {
		t.Errorf("re-read started at %d, want the oldest remembered ID %d", got, want)
	}
	// Ten minutes on, the remembered IDs cover the new overlap: the re-read
	// reaches watermark - 10m.
	clk.Add(11 * time.Minute)
	for range 2 {
		if _, err := big.Poll(t.Context(), q, cur2, rec2); err != nil {
			t.Fatal(err)
		}
	}
	reqs = srv.Requests()
	if got, want := *reqs[len(reqs)-1].StartTime, cur2.Watermark-(10*time.Minute).Milliseconds(); got != want {
		t.Errorf("once the IDs cover it, the re-read starts at %d, want watermark - 10m = %d", got, want)
	}
	if len(rec2.dupes()) != 0 || len(rec2.events) != 1 {
		t.Errorf("later polls emitted %d events, %d twice", len(rec2.events), len(rec2.dupes()))
	}
}

// TestPoll_WatermarkAheadOfClockIsRewound verifies that a watermark ahead of
// the clock (saved by a host whose clock was 2 h fast) is reported and
// rewound to the newest emitted event: the events since are read, and the
// ones emitted before are not emitted again.
func TestPoll_WatermarkAheadOfClockIsRewound(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now))
	defer srv.Close()
	now := clk.Now()
	q := cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-audit-", Region: "us-east-1"}
	old := put(srv, 50, 2, now.Add(-4*time.Minute), "kube-apiserver-audit-")
	c := newClient(t, srv, nil)
	p := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{Overlap: 10 * time.Minute, Lag: time.Minute, Now: clk.Now})
	// The fast host: its clock said now + 2h, and it polled to its now - lag.
	fast := &clock{t: now.Add(2 * time.Hour)}
	pf := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{Overlap: 10 * time.Minute, Lag: time.Minute, Now: fast.Now})
	cur := cloudwatch.NewCursor(now.Add(-time.Hour).UnixMilli())
	rec := &recorder{}
	if _, err := pf.Poll(t.Context(), q, cur, rec); err != nil || len(rec.events) != len(old) {
		t.Fatalf("fast poll: %d events, err %v", len(rec.events), err)
	}
	saved := rec.last
	if saved.Watermark != fast.Now().Add(-time.Minute).UnixMilli() {
		t.Fatalf("watermark %d, want the fast clock's now - lag", saved.Watermark)
	}
	// The clock is right again; events keep arriving in real time.
	clk.Add(20 * time.Minute)
	fresh := put(srv, 80, 2, clk.Now().Add(-15*time.Minute), "kube-apiserver-audit-x")
	cur2 := cloudwatch.RestoreCursor(saved)
	rec2 := &recorder{}
	st, err := p.Poll(t.Context(), q, cur2, rec2)
	if err != nil {
		t.Fatal(err)
	}
	if st.ClockAhead < 99*time.Minute || st.RewoundTo != old[len(old)-1].Timestamp {
		t.Errorf("ClockAhead %v RewoundTo %d, want about 100m and the newest emitted event %d", st.ClockAhead, st.RewoundTo, old[len(old)-1].Timestamp)
	}
	if len(rec2.events) != len(fresh) || len(rec2.dupes()) != 0 || st.Duplicates == 0 {
		t.Errorf("after the rewind: %d events (%d twice), want the %d fresh ones; duplicates dropped %d", len(rec2.events), len(rec2.dupes()), len(fresh), st.Duplicates)
	}
	if cur2.Watermark != clk.Now().Add(-time.Minute).UnixMilli() {
		t.Errorf("watermark %d, want now - lag", cur2.Watermark)
	}
	// The next poll is normal again.
	st, err = p.Poll(t.Context(), q, cur2, rec2)
	if err != nil || st.ClockAhead != 0 || len(rec2.events) != len(fresh) {
		t.Errorf("next poll: ahead %v, %d events, err %v", st.ClockAhead, len(rec2.events), err)
	}
}

// TestPoll_ClockSetBackWithoutMemory verifies the rewind when the cursor
// remembers no event (an idle group): it goes back to now - lag, and the
// overlap before it is read.
func TestPoll_ClockSetBackWithoutMemory(t *testing.T) {
	clk := &clock{t: time.Unix(1700000000, 0)}
	srv := cwfake.New(cwfake.WithClock(clk.Now))
	defer srv.Close()
	q := cloudwatch.Query{LogGroup: group, Prefix: "kube-apiserver-audit-"}
	srv.CreateGroup(group)
	ahead := clk.Now().Add(3 * time.Hour).UnixMilli()
	cur := cloudwatch.NewCursor(ahead)
	evs := put(srv, 30, 2, clk.Now().Add(-5*time.Minute), "kube-apiserver-audit-")
	c := newClient(t, srv, nil)
	p := cloudwatch.NewPuller(c, cloudwatch.PullerConfig{Overlap: 10 * time.Minute, Lag: 30 * time.Second, Now: clk.Now})
	rec := &recorder{}
	st, err := p.Poll(t.Context(), q, cur, rec)
	if err != nil {
		t.Fatal(err)
	}
	if st.RewoundTo != clk.Now().Add(-30*time.Second).UnixMilli() || cur.Floor > st.RewoundTo-(10*time.Minute).Milliseconds() {
		t.Errorf("rewound to %d (floor %d), want now - lag", st.RewoundTo, cur.Floor)
	}
	if len(rec.events) != len(evs) {
		t.Errorf("%d events read after the rewind, want %d", len(rec.events), len(evs))
	}
	// Within the tolerance, nothing is rewound.
	cur3 := cloudwatch.NewCursor(clk.Now().Add(30 * time.Second).UnixMilli())
	if st, _ := p.Poll(t.Context(), q, cur3, &recorder{}); st.ClockAhead != 0 {
		t.Errorf("a watermark 30s ahead was rewound (tolerance %v)", cloudwatch.DefaultClockTolerance)
	}
}
