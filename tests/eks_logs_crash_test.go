package tests

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
)

// eksIdHash is the documented hash of an eventId kept in the checkpoint
// (64-bit FNV-1a), recomputed here so the test reads the file on its own.
func eksIdHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// eksCommittedIDs reads the checkpoint the way a restart would (the base
// and its journal) and returns the (timestamp, hash) pairs it covers.
func eksCommittedIDs(t *testing.T, path string) map[[2]uint64]bool {
	t.Helper()
	st, jr, err := checkpoint.Read(filepath.Dir(path), eksStanzaOf(t, path))
	if errors.Is(err, os.ErrNotExist) {
		return map[[2]uint64]bool{}
	}
	if err != nil {
		t.Fatalf("checkpoint after SIGKILL does not decode: %v", err)
	}
	if jr.Stop == checkpoint.JournalDamaged {
		t.Fatalf("checkpoint journal after SIGKILL is damaged: %v", jr.Err)
	}
	out := map[[2]uint64]bool{}
	for _, c := range st.Cursors {
		for _, bk := range c.Seen {
			for _, h := range bk.IDs {
				out[[2]uint64{uint64(bk.Timestamp), h}] = true
			}
		}
	}
	return out
}

// TestEksLogsCrash_SIGKILLLosesNothing kills the binary with SIGKILL at
// random points over many runs sharing one checkpoint_dir, against a fake
// that throttles, fails, returns empty pages and ingests events late. It
// asserts: the union of emitted events equals the fake's events; no run
// emits an event twice; an event is emitted again only if the checkpoint
// the restart read did not cover it (it was written, then the process died
// before checkpointing it); and per kill at most one page is exposed.
//
// EKS_LOGS_CRASH_RUNS overrides the number of killed runs (default 40).
func TestEksLogsCrash_SIGKILLLosesNothing(t *testing.T) {
	runs := envCount("EKS_LOGS_CRASH_RUNS", 40)
	seed := crashSeed(t)
	rng := rand.New(rand.NewSource(seed))
	const pageSize = 25
	now := time.Now()
	cw := cwfake.New(cwfake.WithFaults(cwfake.Faults{PageSize: pageSize, EmptyPageRate: 0.15, RepeatToken: true,
		ThrottleRate: 0.05, ServerErrorRate: 0.03, Seed: seed}))
	defer cw.Close()
	all := eksPutStreams(cw, "kube-apiserver-audit-", 3000, 50, now)
	for i := range 100 { // ingested over the first seconds of the test, minutes after their timestamp
		all = append(all, cw.Put(cwfake.Event{Group: eksE2eGroup, Stream: fmt.Sprintf("kube-apiserver-audit-late%02d", i%7),
			Timestamp: now.Add(-3 * time.Minute).Add(time.Duration(i) * time.Millisecond).UnixMilli(),
			Message:   fmt.Sprintf(`{"late":%d}`, i), Ingest: now.Add(time.Duration(rng.Intn(6000)) * time.Millisecond)})...)
	}
	type meta struct {
		key [2]uint64
	}
	byData := map[string]meta{}
	for _, e := range all {
		byData[e.Message] = meta{key: [2]uint64{uint64(e.Timestamp), eksIdHash(e.ID)}}
	}

	ckpt := t.TempDir()
	stanza := "eks_logs://crash"
	ckptFile := filepath.Join(ckpt, checkpoint.FileName(stanza))
	cfg := eksInputXML("https://127.0.0.1:1", "k", ckpt, stanza, eksFastParams(cw.URL))
	env := eksAwsTestEnv(t, "AWS_ACCESS_KEY_ID=AKIDFROMENV0000001", "AWS_SECRET_ACCESS_KEY=env-secret")

	emitted := map[string]int{} // data -> runs that emitted it
	kills, reEmitted, maxReEmit, maxExposed, exposedTotal := 0, 0, 0, 0, 0
	committed := eksCommittedIDs(t, ckptFile)
	for run := 0; run <= runs; run++ {
		final := run == runs
		p := startEksLogs(t, cfg, env)
		if final {
			stopWhenAllEmitted(t, p, emitted, len(byData))
		} else {
			select {
			case <-time.After(time.Duration(rng.Intn(400)) * time.Millisecond):
			case <-p.exited:
				t.Fatalf("run %d exited by itself: %s", run, eksTail(p.Stderr(), 1000))
			}
			p.cmd.Process.Signal(syscall.SIGKILL)
			p.wait(20 * time.Second)
			kills++
		}
		if strings.Contains(p.Stderr(), "checkpoint file is unusable") || strings.Contains(p.Stderr(), "no valid checkpoint left") {
			t.Fatalf("run %d found a damaged checkpoint:\n%s", run, eksTail(p.Stderr(), 2000))
		}
		inRun := map[string]bool{}
		reThisRun := 0
		for _, e := range p.Events() {
			m, ok := byData[e.Data]
			if !ok {
				t.Fatalf("run %d emitted an unknown event %q", run, e.Data)
			}
			if inRun[e.Data] {
				t.Fatalf("run %d emitted %q twice", run, e.Data)
			}
			inRun[e.Data] = true
			if emitted[e.Data] > 0 {
				// Allowed only if the checkpoint this run started from did not
				// cover it.
				if committed[m.key] {
					t.Fatalf("run %d re-emitted %q although the checkpoint it resumed from covered it", run, e.Data)
				}
				reThisRun++
			}
			emitted[e.Data]++
		}
		reEmitted += reThisRun
		maxReEmit = max(maxReEmit, reThisRun)
		after := eksCommittedIDs(t, ckptFile)
		if !final {
			// Events this run wrote that its checkpoint does not cover: what
			// the kill exposed to re-emission. At most the page in hand.
			exposed := 0
			for d := range inRun {
				if !after[byData[d].key] {
					exposed++
				}
			}
			if exposed > pageSize {
				t.Errorf("run %d: kill exposed %d written-but-uncheckpointed events, more than a page (%d)", run, exposed, pageSize)
			}
			exposedTotal += exposed
			maxExposed = max(maxExposed, exposed)
		}
		committed = after
	}
	if missing := len(byData) - len(eksEmittedKeys(emitted)); missing != 0 {
		t.Fatalf("%d of %d events were never emitted", missing, len(byData))
	}
	t.Logf("crash test: %d killed runs + 1 clean run, %d events, %d re-emitted in total, at most %d re-emitted in one run, at most %d exposed by one kill (bound: one page = %d); fake served %+v",
		kills, len(byData), reEmitted, maxReEmit, maxExposed, pageSize, cw.Stats())
	if reEmitted > exposedTotal {
		t.Errorf("re-emitted %d events but kills only exposed %d", reEmitted, exposedTotal)
	}
}

// eksStanzaOf returns the stanza of a checkpoint file of this test file's
// stanzas (Read takes the stanza, and checks the file is its).
func eksStanzaOf(t *testing.T, path string) string {
	t.Helper()
	for _, st := range []string{"eks_logs://crash", "eks_logs://term", "eks_logs://stream"} {
		if checkpoint.FileName(st) == filepath.Base(path) {
			return st
		}
	}
	t.Fatalf("no known stanza has the checkpoint %s", path)
	return ""
}

func eksEmittedKeys(m map[string]int) map[string]bool {
	out := make(map[string]bool, len(m))
	for k, n := range m {
		if n > 0 {
			out[k] = true
		}
	}
	return out
}

// TestEksLogsSIGTERM_MidBackfill stops the input with SIGTERM in the middle
// of a paged backfill. It must finish the page in hand, checkpoint exactly
// what it delivered, close the stream and exit 0; the restart then emits
// the rest with no event lost and none repeated.
func TestEksLogsSIGTERM_MidBackfill(t *testing.T) {
	cw := cwfake.New(cwfake.WithFaults(cwfake.Faults{PageSize: 10}))
	defer cw.Close()
	all := eksPutStreams(cw, "kube-apiserver-audit-", 1000, 20, time.Now())
	byData := map[string][2]uint64{}
	for _, e := range all {
		byData[e.Message] = [2]uint64{uint64(e.Timestamp), eksIdHash(e.ID)}
	}
	ckpt := t.TempDir()
	params := eksFastParams(cw.URL)
	params["max_calls_per_second"] = "40" // about 400 events per second: slow enough to stop halfway
	cfg := eksInputXML("https://127.0.0.1:1", "k", ckpt, "eks_logs://term", params)
	env := eksAwsTestEnv(t, "AWS_ACCESS_KEY_ID=AKIDFROMENV0000001", "AWS_SECRET_ACCESS_KEY=env-secret")

	p := startEksLogs(t, cfg, env)
	p.waitFor(30*time.Second, "a part of the backfill", func() bool { return len(p.Events()) >= 150 })
	if code := p.stop(20 * time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}
	if !p.streamClosed() {
		t.Error("no </stream> after SIGTERM")
	}
	first := p.Events()
	if len(first) >= len(all) {
		t.Fatalf("the backfill finished before SIGTERM (%d events); slow it down", len(first))
	}
	committed := eksCommittedIDs(t, filepath.Join(ckpt, checkpoint.FileName("eks_logs://term")))
	delivered := map[[2]uint64]bool{}
	for _, e := range first {
		delivered[byData[e.Data]] = true
		if !committed[byData[e.Data]] {
			t.Fatalf("delivered event %q is not in the checkpoint written at shutdown", e.Data)
		}
	}
	for k := range committed {
		if !delivered[k] {
			t.Fatalf("the checkpoint covers an event that was never delivered: %v", k)
		}
	}

	p2 := startEksLogs(t, cfg, env)
	p2.waitFor(60*time.Second, "the rest", func() bool { return len(first)+len(p2.Events()) >= len(all) })
	p2.stop(20 * time.Second)
	seen := map[string]bool{}
	for _, e := range append(first, p2.Events()...) {
		if seen[e.Data] {
			t.Fatalf("%q emitted twice across a clean restart", e.Data)
		}
		seen[e.Data] = true
	}
	if len(seen) != len(all) {
		t.Fatalf("%d of %d events emitted", len(seen), len(all))
	}
	t.Logf("SIGTERM after %d of %d events; restart emitted %d", len(first), len(all), len(p2.Events()))
}

// TestEksLogsCrash_SIGKILLWhileStreaming kills the binary with SIGKILL at
// random moments, many times, while events stream in (each becomes visible
// a moment after its timestamp, as CloudWatch ingests them): half the
// kills at a random moment (between pages, in a late sweep, while the base
// is written at a start), half as soon as some page's events are out,
// which is while its journal record is being appended or just after. Across the restarts nothing may be lost, no run may
// emit an event twice, an event is emitted again only if the checkpoint
// the run resumed from did not cover it, and each kill exposes at most the
// page in flight (events written whose save the kill cut short).
//
// EKS_LOGS_STREAM_KILLS overrides the number of kills (default 40).
func TestEksLogsCrash_SIGKILLWhileStreaming(t *testing.T) {
	kills := envCount("EKS_LOGS_STREAM_KILLS", 40)
	seed := crashSeed(t)
	rng := rand.New(rand.NewSource(seed))
	const pageSize = 25
	cw := cwfake.New(cwfake.WithFaults(cwfake.Faults{PageSize: pageSize, EmptyPageRate: 0.1, RepeatToken: true,
		ThrottleRate: 0.03, ServerErrorRate: 0.02, Seed: seed}))
	defer cw.Close()
	// The stream: about 300 events a second over the kills (some 250 ms
	// each on average, startup included), across 20 streams, each visible
	// 0 to 1.5 s after its timestamp; a few arrive 20 s late.
	start := time.Now()
	span := time.Duration(kills) * 250 * time.Millisecond
	n := int(span.Seconds() * 300)
	var evs []cwfake.Event
	for i := range n {
		ts := start.Add(span * time.Duration(i) / time.Duration(n))
		delay := time.Duration(rng.Intn(1500)) * time.Millisecond
		if rng.Intn(100) == 0 {
			delay = 20 * time.Second
		}
		evs = append(evs, cwfake.Event{Group: eksE2eGroup, Stream: fmt.Sprintf("kube-apiserver-audit-%02d", i%20),
			Timestamp: ts.UnixMilli(), Ingest: ts.Add(delay), Message: fmt.Sprintf(`{"stream":%d}`, i)})
	}
	all := cw.Put(evs...)
	byData := map[string][2]uint64{}
	for _, e := range all {
		byData[e.Message] = [2]uint64{uint64(e.Timestamp), eksIdHash(e.ID)}
	}
	last := start.Add(span + 20*time.Second + 2*time.Second)

	ckpt := t.TempDir()
	stanza := "eks_logs://stream"
	ckptFile := filepath.Join(ckpt, checkpoint.FileName(stanza))
	params := eksFastParams(cw.URL)
	params["start_from"] = "-1m"
	cfg := eksInputXML("https://127.0.0.1:1", "k", ckpt, stanza, params)
	env := eksAwsTestEnv(t, "AWS_ACCESS_KEY_ID=AKIDFROMENV0000001", "AWS_SECRET_ACCESS_KEY=env-secret")

	emitted := map[string]int{}
	reEmitted, exposedTotal, maxExposed, exposingKills, torn := 0, 0, 0, 0, 0
	committed := eksCommittedIDs(t, ckptFile)
	for run := 0; run <= kills; run++ {
		final := run == kills
		p := startEksLogs(t, cfg, env)
		if final {
			time.Sleep(time.Until(last)) // every event visible
			stopWhenAllEmitted(t, p, emitted, len(byData))
		} else {
			// Half the kills at a random moment; the other half as soon as
			// a page's events are out, which is while that page is being
			// saved (its journal record appended) or just after.
			deadline := time.After(time.Duration(rng.Intn(500)) * time.Millisecond)
			want := 0
			if run%2 == 1 {
				want = 1 + rng.Intn(3*pageSize)
				deadline = time.After(5 * time.Second)
			}
		wait:
			for want == 0 || len(p.Events()) < want {
				select {
				case <-p.notify:
				case <-deadline:
					break wait
				case <-p.exited:
					t.Fatalf("run %d exited by itself: %s", run, eksTail(p.Stderr(), 1000))
				}
			}
			p.cmd.Process.Signal(syscall.SIGKILL)
			p.wait(20 * time.Second)
		}
		stderr := p.Stderr()
		if strings.Contains(stderr, "checkpoint file is unusable") || strings.Contains(stderr, "no valid checkpoint left") ||
			strings.Contains(stderr, "checkpoint journal has a damaged record") || strings.Contains(stderr, "previous good checkpoint") {
			t.Fatalf("run %d found a damaged checkpoint:\n%s", run, eksTail(stderr, 2000))
		}
		if strings.Contains(stderr, "checkpoint journal ends in a save cut short") {
			torn++
		}
		inRun := map[string]bool{}
		for _, e := range p.Events() {
			key, ok := byData[e.Data]
			if !ok {
				t.Fatalf("run %d emitted an unknown event %q", run, e.Data)
			}
			if inRun[e.Data] {
				t.Fatalf("run %d emitted %q twice", run, e.Data)
			}
			inRun[e.Data] = true
			if emitted[e.Data] > 0 {
				if committed[key] {
					t.Fatalf("run %d re-emitted %q although the checkpoint it resumed from covered it", run, e.Data)
				}
				reEmitted++
			}
			emitted[e.Data]++
		}
		after := eksCommittedIDs(t, ckptFile)
		if !final {
			exposed := 0
			for d := range inRun {
				if !after[byData[d]] {
					exposed++
				}
			}
			if exposed > pageSize {
				t.Errorf("run %d: the kill exposed %d written-but-uncheckpointed events, more than a page (%d)", run, exposed, pageSize)
			}
			exposedTotal += exposed
			maxExposed = max(maxExposed, exposed)
			if exposed > 0 {
				exposingKills++
			}
		}
		committed = after
	}
	if missing := len(byData) - len(eksEmittedKeys(emitted)); missing != 0 {
		t.Fatalf("%d of %d streamed events were never emitted", missing, len(byData))
	}
	if reEmitted > exposedTotal {
		t.Errorf("re-emitted %d events but the kills only exposed %d", reEmitted, exposedTotal)
	}
	jr := eksJournalAfterCleanStop(t, ckpt, stanza)
	t.Logf("streaming crash test: %d kills + 1 clean run, %d events, %d re-emitted, %d kills landed between a page's write and its save, at most %d exposed by one kill (bound: one page = %d), %d starts found a save cut short; after the clean stop the journal holds %d records; fake served %+v",
		kills, len(byData), reEmitted, exposingKills, maxExposed, pageSize, torn, jr, cw.Stats())
}

// eksJournalAfterCleanStop checks that a clean stop left the whole state
// in the base (the journal compacted away), as an earlier version, which
// ignores the journal, needs it; it returns the journal's records.
func eksJournalAfterCleanStop(t *testing.T, dir, stanza string) int {
	t.Helper()
	st, jr, err := checkpoint.Read(dir, stanza)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, checkpoint.FileName(stanza)))
	if err != nil {
		t.Fatal(err)
	}
	base, err := checkpoint.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if jr.Records != 0 || jr.Stop != "" || fmt.Sprint(base.Cursors) != fmt.Sprint(st.Cursors) {
		t.Errorf("after a clean stop the journal still holds %d records (%s)", jr.Records, jr.Stop)
	}
	return jr.Records
}

// envCount is the positive number in the environment variable name, else
// def.
func envCount(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// crashSeed is EKS_LOGS_CRASH_SEED, else the time; it is logged, so that a
// failing run can be replayed.
func crashSeed(t *testing.T) int64 {
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("EKS_LOGS_CRASH_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (set EKS_LOGS_CRASH_SEED to replay)", seed)
	return seed
}

// stopWhenAllEmitted waits until the events p emitted and those the runs
// before it emitted (emitted) are total distinct events, then stops p with
// SIGTERM, which must end it with exit 0.
func stopWhenAllEmitted(t *testing.T, p *eksProc, emitted map[string]int, total int) {
	t.Helper()
	p.waitFor(120*time.Second, "the union to cover every event", func() bool {
		if eksCountPolls(p.Stderr()) < 1 {
			return false // SIGTERM before the first poll could land before the handler is installed
		}
		n := 0
		for _, e := range p.Events() {
			if emitted[e.Data] == 0 {
				n++
			}
		}
		return len(eksEmittedKeys(emitted))+n >= total
	})
	if code := p.stop(20 * time.Second); code != 0 {
		t.Fatalf("final run exit %d", code)
	}
}
