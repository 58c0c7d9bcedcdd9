package eksservice

import (
	"sync"
	"time"
)

// stallWatch tells slow delivery from stalled delivery, for one input:
// its delivery is stalled once events have waited for the sinks for limit
// without any of them becoming durable (delivered to every sink, or, in
// steps, acknowledged by HEC). A big delivery that keeps progressing never
// stalls; one whose sink keeps failing, or never acknowledges, does.
type stallWatch struct {
	limit time.Duration
	// onStall runs once per stall, on its own goroutine, limit after the
	// last progress; onResume when progress comes back, or nothing waits
	// any more.
	onStall  func(waited time.Duration)
	onResume func(stalled time.Duration)

	mu      sync.Mutex
	waiting bool
	since   time.Time // waiting began, or events last became durable
	stalled time.Time // when onStall ran; zero when not stalled
	timer   *time.Timer
}

func newStallWatch(limit time.Duration, onStall func(time.Duration), onResume func(time.Duration)) *stallWatch {
	return &stallWatch{limit: limit, onStall: onStall, onResume: onResume}
}

// begin says events were handed to the sinks.
func (w *stallWatch) begin() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.waiting {
		w.waiting = true
		w.since = time.Now()
		w.arm(w.limit)
	}
}

// progress says some of them became durable: the clock starts again.
func (w *stallWatch) progress() {
	w.mu.Lock()
	w.since = time.Now()
	if w.waiting {
		w.arm(w.limit)
	}
	resumed := w.unstall()
	w.mu.Unlock()
	resumed()
}

// end says nothing waits for the sinks any more.
func (w *stallWatch) end() {
	w.mu.Lock()
	w.waiting = false
	if w.timer != nil {
		w.timer.Stop()
	}
	resumed := w.unstall()
	w.mu.Unlock()
	resumed()
}

// stop ends the watch without a word: delivery is over (shutdown, a
// fatal error), not resumed.
func (w *stallWatch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waiting = false
	w.stalled = time.Time{}
	if w.timer != nil {
		w.timer.Stop()
	}
}

// status says since when events have waited without progress (zero when
// nothing waits) and whether that is a stall.
func (w *stallWatch) status(now time.Time) (since time.Time, stalled bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.waiting {
		return time.Time{}, false
	}
	return w.since, now.Sub(w.since) >= w.limit
}

// arm (re)starts the timer; w.mu is held.
func (w *stallWatch) arm(d time.Duration) {
	if w.timer == nil {
		w.timer = time.AfterFunc(d, w.fire)
		return
	}
	w.timer.Reset(d)
}

// unstall ends a stall; w.mu is held. It returns what to run once w.mu is
// released.
func (w *stallWatch) unstall() func() {
	if w.stalled.IsZero() {
		return func() {}
	}
	d := time.Since(w.stalled) + w.limit
	w.stalled = time.Time{}
	return func() { w.onResume(d) }
}

func (w *stallWatch) fire() {
	w.mu.Lock()
	if !w.waiting || !w.stalled.IsZero() {
		w.mu.Unlock()
		return
	}
	waited := time.Since(w.since)
	if waited < w.limit { // progress came while the timer fired
		w.arm(w.limit - waited)
		w.mu.Unlock()
		return
	}
	w.stalled = time.Now()
	w.mu.Unlock()
	w.onStall(waited)
}
