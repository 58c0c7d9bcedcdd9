package eksservice

import (
	"testing"
	"time"
)

// watchEvents records a stallWatch's callbacks on channels.
type watchEvents struct {
	stalled chan time.Duration
	resumed chan time.Duration
}

func newTestWatch(limit time.Duration) (*stallWatch, watchEvents) {
	ev := watchEvents{stalled: make(chan time.Duration, 10), resumed: make(chan time.Duration, 10)}
	return newStallWatch(limit, func(d time.Duration) { ev.stalled <- d }, func(d time.Duration) { ev.resumed <- d }), ev
}

func expect(t *testing.T, c chan time.Duration, what string) time.Duration {
	t.Helper()
	select {
	case d := <-c:
		return d
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s", what)
		return 0
	}
}

func expectNone(t *testing.T, c chan time.Duration, within time.Duration, what string) {
	t.Helper()
	select {
	case d := <-c:
		t.Fatalf("unexpected %s (%v)", what, d)
	case <-time.After(within):
	}
}

// TestStallWatch_StallsAndResumes verifies events waiting past the limit
// without progress are a stall, reported once, and that progress ends it.
func TestStallWatch_StallsAndResumes(t *testing.T) {
	w, ev := newTestWatch(50 * time.Millisecond)
	start := time.Now()
	w.begin()
	if waited := expect(t, ev.stalled, "stall"); waited < 50*time.Millisecond || time.Since(start) < 50*time.Millisecond {
		t.Errorf("stalled after %v (waited %v), want at least the limit", time.Since(start), waited)
	}
	if _, stalled := w.status(time.Now()); !stalled {
		t.Error("status does not say stalled")
	}
	w.begin() // more events: still the same stall
	expectNone(t, ev.stalled, 120*time.Millisecond, "second stall report")
	w.progress()
	if d := expect(t, ev.resumed, "resume"); d < 50*time.Millisecond {
		t.Errorf("stalled for %v, want at least the limit", d)
	}
	if _, stalled := w.status(time.Now()); stalled {
		t.Error("still stalled after progress")
	}
	// Still waiting: the clock started again, a new stall comes.
	expect(t, ev.stalled, "second stall")
	w.end()
	expect(t, ev.resumed, "resume on end")
	if since, stalled := w.status(time.Now()); stalled || !since.IsZero() {
		t.Errorf("status %v %v after end", since, stalled)
	}
	// A delivery given up (shutdown) while stalled did not resume.
	w.begin()
	expect(t, ev.stalled, "third stall")
	w.stop()
	expectNone(t, ev.resumed, 100*time.Millisecond, "resume on stop")
	expectNone(t, ev.stalled, 100*time.Millisecond, "stall after stop")
}

// TestStallWatch_ProgressKeepsItGoing verifies a long delivery that keeps
// progressing never stalls, and that nothing waiting never does either.
func TestStallWatch_ProgressKeepsItGoing(t *testing.T) {
	w, ev := newTestWatch(80 * time.Millisecond)
	w.begin()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for range 15 { // 300 ms, almost four limits
		<-tick.C
		w.progress()
	}
	w.end()
	expectNone(t, ev.stalled, 160*time.Millisecond, "stall")
	if len(ev.resumed) != 0 {
		t.Error("resumed without a stall")
	}
}
