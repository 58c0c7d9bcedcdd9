package hec_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/sink"
	"github.com/kubelens/kubelens/src/sink/hec"
	"github.com/kubelens/kubelens/src/sink/hec/hecfake"
	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
)

const token = "11111111-2222-3333-4444-555555555555"

func events(n int) []sink.Event {
	out := make([]sink.Event, n)
	for i := range out {
		out[i] = sink.Event{TimeMillis: 1700000000000 + int64(i), Host: "h", Source: "us-east-1:/aws/eks/p/cluster:kube-apiserver-audit-x",
			SourceType: "aws:cloudwatchlogs:eks", Index: "eks", Data: fmt.Sprintf(`{"kind":"Event","n":%d,"pad":"%s"}`, i, strings.Repeat("x", 200)), ID: fmt.Sprintf("%056d", i)}
	}
	return out
}

func newSink(t *testing.T, url, tok string, mod func(*hec.Config)) (*hec.HEC, *logtest.Hook) {
	t.Helper()
	log, hook := logtest.NewNullLogger()
	cfg := hec.Config{Name: "sinks[0] (hec)", URL: url, Token: tok, Ack: true, AckPollInterval: 5 * time.Millisecond,
		AckTimeout: 200 * time.Millisecond, MaxResends: 2, Gzip: true, MaxBatchBytes: 16 << 10, MaxBackoff: 10 * time.Millisecond, Timeout: 2 * time.Second, Log: log}
	if mod != nil {
		mod(&cfg)
	}
	h, err := hec.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h, hook
}

func count(evs []hecfake.Event) map[string]int {
	m := map[string]int{}
	for _, e := range evs {
		m[e.Event]++
	}
	return m
}

// TestSend_FaultsLoseNothing sends through busy, throttled, failing and
// non-JSON answers, a slow and a lost acknowledgement: every event is
// indexed, duplicates only from the one batch re-sent after its ack timed
// out, which the report counts. The 500 (HEC may have taken the request)
// and the timeout each move the sink to a new channel; every channel keeps
// its cookie.
func TestSend_FaultsLoseNothing(t *testing.T) {
	srv := hecfake.New([]string{token}, hecfake.WithAckDelay(20*time.Millisecond), hecfake.WithIndexes("eks"))
	defer srv.Close()
	h, hook := newSink(t, srv.URL, token, nil)
	srv.FailNext(1, hecfake.Busy)
	srv.FailNext(1, hecfake.TooMany)
	srv.FailNext(1, hecfake.Internal)
	srv.FailNext(1, hecfake.Unavailable)
	srv.LoseNextAcks(1)
	evs := events(300)
	rep, err := h.Send(t.Context(), evs)
	if err != nil {
		t.Fatal(err)
	}
	got := count(srv.Events())
	dupes := 0
	for _, e := range evs {
		switch n := got[e.Data]; {
		case n == 0:
			t.Fatalf("event %s lost", e.ID)
		case n > 1:
			dupes += n - 1
		}
	}
	if rep.Resent != 1 || dupes == 0 || dupes > 16<<10/200 {
		t.Errorf("resent %d batches, %d duplicate events: want 1 batch and its events", rep.Resent, dupes)
	}
	st := srv.Stats()
	if st.WithoutCookie != 0 || st.Faults != 4 {
		t.Errorf("stats %+v", st)
	}
	channels := map[string]bool{}
	for _, e := range srv.Events() {
		channels[e.Channel] = true
		if e.Index != "eks" || e.SourceType != "aws:cloudwatchlogs:eks" {
			t.Fatalf("event %+v", e)
		}
	}
	if len(channels) != 2 {
		t.Errorf("events on %d channels, want 2 (the one after the 500, the one after the timeout)", len(channels))
	}
	warned := false
	for _, e := range hook.AllEntries() {
		if e.Level == logrus.WarnLevel && strings.Contains(e.Message, "did not acknowledge") && e.Data["ack_id"] != nil {
			warned = true
		}
		if strings.Contains(fmt.Sprint(e.Data), token) || strings.Contains(e.Message, token) {
			t.Error("a log line holds the token")
		}
	}
	if !warned {
		t.Error("no WARN with the ackId for the re-sent batch")
	}
}

// TestSend_TooLargeHalvesThenFatal verifies 413 halves a batch until it
// fits, and that one event over the limit is fatal and named.
func TestSend_TooLargeHalvesThenFatal(t *testing.T) {
	srv := hecfake.New([]string{token}, hecfake.WithMaxBody(2000))
	defer srv.Close()
	h, _ := newSink(t, srv.URL, token, nil)
	evs := events(40)
	if _, err := h.Send(t.Context(), evs); err != nil {
		t.Fatal(err)
	}
	if got := count(srv.Events()); len(got) != 40 || srv.Stats().TooLarge == 0 {
		t.Errorf("%d distinct events, stats %+v", len(got), srv.Stats())
	}
	big := events(1)
	big[0].Data = strings.Repeat("y", 5000)
	_, err := h.Send(t.Context(), big)
	if !sink.IsFatal(err) || !strings.Contains(err.Error(), big[0].ID) {
		t.Errorf("err = %v, want fatal naming %s", err, big[0].ID)
	}
}

// TestSend_FatalAnswers verifies the answers that stop the service name
// the sink, HEC's code and text, and never the token.
func TestSend_FatalAnswers(t *testing.T) {
	cases := []struct {
		name  string
		tok   string
		opts  []hecfake.Option
		index string
		ack   bool
		want  string
	}{
		{"invalid token", "bad-token-value", nil, "", true, "code 4"},
		{"incorrect index", token, []hecfake.Option{hecfake.WithIndexes("main")}, "eks", true, "code 7"},
		{"ack disabled", token, []hecfake.Option{hecfake.WithAck(false)}, "", true, "ackId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := hecfake.New([]string{token}, tc.opts...)
			defer srv.Close()
			h, _ := newSink(t, srv.URL, tc.tok, func(c *hec.Config) { c.Ack = tc.ack })
			evs := events(3)
			for i := range evs {
				evs[i].Index = tc.index
			}
			_, err := h.Send(t.Context(), evs)
			var fe *sink.FatalError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "sinks[0] (hec)") {
				t.Fatalf("err = %v, want fatal with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "bad-token-value") {
				t.Error("the error holds the token")
			}
		})
	}
	// A token disabled while running: 403 code 1.
	srv := hecfake.New([]string{token})
	defer srv.Close()
	h, _ := newSink(t, srv.URL, token, nil)
	srv.DisableToken(token)
	if _, err := h.Send(t.Context(), events(1)); !sink.IsFatal(err) || !strings.Contains(err.Error(), "code 1") {
		t.Errorf("disabled token: %v", err)
	}
}

// TestSend_RefusedThenUp verifies refused connections are retried until
// HEC comes up, and ack: false commits on 200 code 0.
func TestSend_RefusedThenUp(t *testing.T) {
	addr, err := hecfake.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	h, hook := newSink(t, "http://"+addr, token, func(c *hec.Config) { c.Ack = false; c.Gzip = false })
	done := make(chan error, 1)
	go func() { _, err := h.Send(t.Context(), events(5)); done <- err }()
	deadline := time.After(5 * time.Second)
	for len(hook.AllEntries()) < 2 {
		select {
		case <-deadline:
			t.Fatal("no retry logged")
		case <-time.After(5 * time.Millisecond):
		}
	}
	srv, err := hecfake.NewAt(addr, []string{token}, hecfake.WithAck(false))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Events()); n != 5 {
		t.Errorf("%d events indexed, want 5", n)
	}
}

// TestCheck verifies --check's probe: a good token passes without sending
// an event; a bad one fails.
func TestCheck(t *testing.T) {
	srv := hecfake.New([]string{token})
	defer srv.Close()
	h, _ := newSink(t, srv.URL, token, nil)
	if err := h.Check(t.Context()); err != nil {
		t.Errorf("good token: %v", err)
	}
	bad, _ := newSink(t, srv.URL, "nope", nil)
	if err := bad.Check(t.Context()); err == nil {
		t.Error("bad token passed")
	}
	if len(srv.Events()) != 0 {
		t.Error("the check sent events")
	}
}

// TestSend_CancelReturnsPromptly verifies ctx (shutdown_timeout) ends a
// Send that waits on acknowledgements that never come.
func TestSend_CancelReturnsPromptly(t *testing.T) {
	srv := hecfake.New([]string{token}, hecfake.WithAckDelay(time.Hour))
	defer srv.Close()
	h, _ := newSink(t, srv.URL, token, func(c *hec.Config) { c.AckTimeout = time.Hour })
	ctx, cancel := contextWithTimeout(t, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := h.Send(ctx, events(3)); err == nil {
		t.Fatal("no error")
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
}

// oneEventBatches makes every event a batch of its own.
func oneEventBatches(c *hec.Config) { c.MaxBatchBytes = 1 }

// lost returns the events of evs HEC does not hold, and how many it holds
// more than once.
func lost(srv *hecfake.Server, evs []sink.Event) (missing []string, dupes int) {
	got := count(srv.Events())
	for _, e := range evs {
		switch n := got[e.Data]; {
		case n == 0:
			missing = append(missing, e.ID)
		case n > 1:
			dupes += n - 1
		}
	}
	return missing, dupes
}

func warned(hook *logtest.Hook, text string) bool {
	for _, e := range hook.AllEntries() {
		if e.Level == logrus.WarnLevel && strings.Contains(e.Message, text) {
			return true
		}
	}
	return false
}

// TestSend_RestartIsNotAnAck verifies the acknowledgements of a restarted
// HEC do not count for the batches the crashed one took: HEC takes three
// batches and crashes before indexing them; after the restart its ackIds
// on the channel start again at 0, and its "0, 1, 2 are indexed" speaks of
// its own batches. The sink must notice the ackId going back, send the
// three again, and so lose nothing.
func TestSend_RestartIsNotAnAck(t *testing.T) {
	srv := hecfake.New([]string{token})
	defer srv.Close()
	h, hook := newSink(t, srv.URL, token, func(c *hec.Config) { oneEventBatches(c); c.AckTimeout = time.Hour })
	srv.CrashAfter(3)
	evs := events(40)
	ctx, cancel := contextWithTimeout(t, 10*time.Second)
	defer cancel()
	rep, err := h.Send(ctx, evs)
	if err != nil {
		t.Fatal(err)
	}
	missing, dupes := lost(srv, evs)
	if len(missing) > 0 {
		t.Fatalf("%d events lost in the restart yet reported delivered: %v", len(missing), missing)
	}
	if st := srv.Stats(); st.LostInRestart != 3 || st.Restarts != 1 {
		t.Errorf("stats %+v: the fake did not crash as scripted", st)
	}
	// The three lost batches, and the first one the new instance took
	// (its ackId collided).
	if rep.Resent != 4 || dupes != 1 {
		t.Errorf("resent %d, %d duplicates: want 4 and 1", rep.Resent, dupes)
	}
	if !warned(hook, "handed out an ackId it had handed out before") {
		t.Error("no WARN about the reset")
	}
}

// TestSend_LostAnswerResetsTheChannel verifies a request whose answer was
// lost makes the channel's acknowledgements worthless: HEC crashes with
// three batches taken, then the next requests are taken by the new
// instance but their answers never arrive. Posting again on the same
// channel would walk the new instance's ackIds past the old ones (0, 1, 2
// handed out unseen, then 3), and its "0, 1, 2 are indexed" would pass
// for the lost batches.
func TestSend_LostAnswerResetsTheChannel(t *testing.T) {
	srv := hecfake.New([]string{token})
	defer srv.Close()
	h, hook := newSink(t, srv.URL, token, func(c *hec.Config) { oneEventBatches(c); c.AckTimeout = time.Hour })
	srv.CrashAfter(3, hecfake.NoReply, hecfake.NoReply, hecfake.NoReply)
	evs := events(10)
	ctx, cancel := contextWithTimeout(t, 10*time.Second)
	defer cancel()
	rep, err := h.Send(ctx, evs)
	if err != nil {
		t.Fatal(err)
	}
	if missing, _ := lost(srv, evs); len(missing) > 0 {
		t.Fatalf("%d events lost yet reported delivered: %v", len(missing), missing)
	}
	if rep.Resent != 3 {
		t.Errorf("resent %d, want the 3 batches waiting on the channel when the first answer was lost", rep.Resent)
	}
	if !warned(hook, "HEC may have taken the request; retrying on a new channel") {
		t.Error("no WARN about the lost answer")
	}
}

// TestSend_EveryCopyCounts verifies a batch sent again after ack_timeout
// goes out on a new channel, and that the late acknowledgement of its
// first copy, on the old channel, ends the wait.
func TestSend_EveryCopyCounts(t *testing.T) {
	srv := hecfake.New([]string{token}, hecfake.WithAckDelay(300*time.Millisecond))
	defer srv.Close()
	h, hook := newSink(t, srv.URL, token, func(c *hec.Config) { c.AckTimeout = 100 * time.Millisecond })
	evs := events(3)
	rep, err := h.Send(t.Context(), evs)
	if err != nil {
		t.Fatal(err)
	}
	channels := map[string]int{}
	for _, e := range srv.Events() {
		channels[e.Channel]++
	}
	// The first copy is acknowledged 300 ms after it was sent; the second,
	// sent at 100 ms, would be at 400 ms, the third (at 200 ms) at 500 ms.
	if rep.Resent < 1 || len(channels) != rep.Resent+1 {
		t.Errorf("resent %d, events on %d channels: want each copy on its own channel", rep.Resent, len(channels))
	}
	if !warned(hook, "did not acknowledge a batch within ack_timeout") {
		t.Error("no WARN for the re-sent batch")
	}
}

// TestSend_AckNeverComes verifies a batch HEC takes but never
// acknowledges is sent again at most max_resends times, each time waiting
// twice as long, with a WARN naming the batch and counting, and that Send
// then gives up with a fatal error naming the batch and saying why,
// rather than send it forever.
func TestSend_AckNeverComes(t *testing.T) {
	srv := hecfake.New([]string{token})
	defer srv.Close()
	srv.LoseNextAcks(1 << 30)
	h, hook := newSink(t, srv.URL, token, func(c *hec.Config) { c.AckTimeout = 20 * time.Millisecond })
	evs := events(3)
	ctx, cancel := contextWithTimeout(t, 10*time.Second)
	defer cancel()
	rep, err := h.Send(ctx, evs)
	if !sink.IsFatal(err) || !strings.Contains(err.Error(), evs[0].ID) || !strings.Contains(err.Error(), "3 times") || !strings.Contains(err.Error(), "sticky sessions") {
		t.Fatalf("err = %v, want fatal naming the batch, its 3 sends and the likely causes", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Error("the error holds the token")
	}
	for _, e := range evs {
		if n := count(srv.Events())[e.Data]; n != 3 {
			t.Errorf("event %s indexed %d times, want 1 + max_resends = 3", e.ID, n)
		}
	}
	if rep.Resent != 2 {
		t.Errorf("resent %d, want 2", rep.Resent)
	}
	var waited []string
	for _, e := range hook.AllEntries() {
		if e.Level == logrus.WarnLevel && strings.Contains(e.Message, "did not acknowledge a batch within ack_timeout") {
			if e.Data["first_event_id"] != evs[0].ID || e.Data["max_resends"] != 2 {
				t.Errorf("WARN fields %v", e.Data)
			}
			waited = append(waited, fmt.Sprintf("%v#%v", e.Data["waited"], e.Data["resend"]))
		}
		if strings.Contains(fmt.Sprint(e.Data), token) || strings.Contains(e.Message, token) {
			t.Error("a log line holds the token")
		}
	}
	if got := strings.Join(waited, " "); got != "20ms#1 40ms#2" {
		t.Errorf("re-sends after %q, want 20ms#1 40ms#2 (the wait doubles)", got)
	}
}

// TestSend_AckQueriesFailing verifies failing acknowledgement requests are
// asked again without sending anything again (HEC may well have indexed
// the batch), with a WARN at the 1st, 2nd, 4th… failure, and that
// delivery completes once HEC answers.
func TestSend_AckQueriesFailing(t *testing.T) {
	srv := hecfake.New([]string{token})
	defer srv.Close()
	srv.FailNextAcks(20, hecfake.Busy)
	h, hook := newSink(t, srv.URL, token, func(c *hec.Config) { c.AckTimeout = 10 * time.Millisecond })
	evs := events(30)
	rep, err := h.Send(t.Context(), evs)
	if err != nil {
		t.Fatal(err)
	}
	if missing, dupes := lost(srv, evs); len(missing) > 0 || dupes > 0 || rep.Resent != 0 {
		t.Errorf("%d missing, %d duplicates, resent %d: want none", len(missing), dupes, rep.Resent)
	}
	n := 0
	for _, e := range hook.AllEntries() {
		if strings.Contains(e.Message, "query acknowledgements failed") {
			n++
		}
	}
	if n != 5 {
		t.Errorf("%d WARN lines for 20 failed acknowledgement requests, want 5 (1, 2, 4, 8, 16)", n)
	}
}

// TestSend_BusyForeverRetriesUntilCtx verifies a HEC answering 503 to
// everything is retried with backoff until ctx ends, without a fatal
// error (an outage ends; the caller decides how long to wait) and without
// giving up the channel (HEC took nothing).
func TestSend_BusyForeverRetriesUntilCtx(t *testing.T) {
	srv := hecfake.New([]string{token})
	defer srv.Close()
	srv.FailNext(1000, hecfake.Busy)
	h, hook := newSink(t, srv.URL, token, nil)
	ctx, cancel := contextWithTimeout(t, 300*time.Millisecond)
	defer cancel()
	_, err := h.Send(ctx, events(3))
	if !errors.Is(err, context.DeadlineExceeded) || sink.IsFatal(err) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	retries := 0
	for _, e := range hook.AllEntries() {
		switch {
		case strings.Contains(e.Message, "HEC send events failed; retrying"):
			retries++
		case strings.Contains(e.Message, "new channel"):
			t.Errorf("a 503 moved the sink to a new channel: %s", e.Message)
		}
	}
	if req := srv.Stats().EventRequests; retries < 3 || req < retries || req > retries+1 {
		t.Errorf("%d retries logged, %d requests", retries, srv.Stats().EventRequests)
	}
}

// TestSend_Progress verifies Send reports every event to sink.Progress as
// it is acknowledged, with and without ack.
func TestSend_Progress(t *testing.T) {
	for _, ack := range []bool{true, false} {
		srv := hecfake.New([]string{token}, hecfake.WithAck(ack))
		h, _ := newSink(t, srv.URL, token, func(c *hec.Config) { c.Ack = ack })
		total, calls := 0, 0
		ctx := sink.WithProgress(t.Context(), func(n int) { total += n; calls++ })
		if _, err := h.Send(ctx, events(300)); err != nil {
			t.Fatal(err)
		}
		if total != 300 || calls < 2 {
			t.Errorf("ack %v: progress reported %d events in %d calls, want 300 as the batches went", ack, total, calls)
		}
		srv.Close()
	}
}
