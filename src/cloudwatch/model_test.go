package cloudwatch_test

// A model check of the puller's windowing: random streams of events with
// random ingestion delays (on time, late within lag + overlap, exactly at
// the bound, beyond it, timestamps ahead of ingestion, bursts in one
// millisecond), read through an in-memory FilterLogEvents with
// CloudWatch's ordering and tokens, empty pages and failing calls, by an
// input that restarts from its saved checkpoint (cleanly, or killed after a
// page was written and before it was saved), changes its configuration,
// and is replaced by an earlier version at restarts. Every event within
// the bound must be emitted, and none twice beyond what a kill allows.
// -model-seeds sets how many random runs each configuration gets.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch"
)

var modelQuery = cloudwatch.Query{LogGroup: "/aws/eks/model/cluster", Prefix: "kube-apiserver-audit-", Region: "us-east-1"}

// memEv is one event in the in-memory API.
type memEv struct {
	ts, ing int64 // ms; visible when now >= ing
	id      string
	stream  string
}

func memLess(a, b *memEv) bool {
	if a.ts != b.ts {
		return a.ts < b.ts
	}
	if a.ing != b.ing {
		return a.ing < b.ing
	}
	return a.id < b.id
}

// memAPI mimics cwfake's FilterLogEvents semantics without HTTP.
type memAPI struct {
	now       *int64
	evs       []*memEv
	seq       int
	pageSize  int
	emptyRate float64
	failRate  float64 // chance a call fails (throttled beyond retries)
	rng       *rand.Rand
	served    int
}

type memTok struct {
	TS, Ing int64
	ID      string
	S, E    int64
}

var errThrottled = errors.New("throttled (retries exhausted)")

func (m *memAPI) put(ts, ing int64, stream string) *memEv {
	m.seq++
	e := &memEv{ts: ts, ing: ing, id: fmt.Sprintf("%020d%012d", ts+1<<40, m.seq), stream: stream}
	m.evs = append(m.evs, e)
	sort.SliceStable(m.evs, func(i, j int) bool { return memLess(m.evs[i], m.evs[j]) })
	return e
}

func (m *memAPI) FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	if m.failRate > 0 && m.rng.Float64() < m.failRate {
		return nil, errThrottled
	}
	s, e := aws.ToInt64(in.StartTime), aws.ToInt64(in.EndTime)
	var after *memTok
	if in.NextToken != nil {
		var t memTok
		if err := json.Unmarshal([]byte(*in.NextToken), &t); err != nil || t.S != s || t.E != e {
			return nil, errors.New("bad token")
		}
		after = &t
	}
	now := *m.now
	var match []*memEv
	for _, ev := range m.evs {
		if ev.ing > now || ev.ts < s || ev.ts > e {
			continue
		}
		if after != nil && !memLess(&memEv{ts: after.TS, ing: after.Ing, id: after.ID}, ev) {
			continue
		}
		match = append(match, ev)
	}
	out := &cloudwatchlogs.FilterLogEventsOutput{}
	if len(match) > 0 && m.emptyRate > 0 && m.rng.Float64() < m.emptyRate {
		t := memTok{TS: -1 << 62, S: s, E: e}
		if after != nil {
			t = *after
		}
		b, _ := json.Marshal(t)
		out.NextToken = aws.String(string(b))
		return out, nil
	}
	limit := int(aws.ToInt32(in.Limit))
	if m.pageSize > 0 && m.pageSize < limit {
		limit = m.pageSize
	}
	n := min(limit, len(match))
	for _, ev := range match[:n] {
		out.Events = append(out.Events, types.FilteredLogEvent{EventId: aws.String(ev.id), Timestamp: aws.Int64(ev.ts),
			IngestionTime: aws.Int64(ev.ing), LogStreamName: aws.String(ev.stream), Message: aws.String("m")})
	}
	m.served += n
	more := n < len(match)
	if !more && n > 0 && m.emptyRate > 0 && m.rng.Float64() < m.emptyRate {
		more = true
	}
	if more {
		last := match[n-1]
		if n == 0 {
			last = &memEv{ts: -1 << 62}
		}
		b, _ := json.Marshal(memTok{TS: last.ts, Ing: last.ing, ID: last.id, S: s, E: e})
		out.NextToken = aws.String(string(b))
	}
	return out, nil
}

// crashErr makes the model "kill -9" the process after the page's events
// were delivered but before its cursor was saved.
var errCrash = errors.New("kill -9")

// mhandler records deliveries and saves, with fault injection.
type mhandler struct {
	rng        *rand.Rand
	ids        map[string]int
	allowDup   map[string]int // events of pages written but not saved (crash)
	saved      checkpoint.Cursor
	hasSaved   bool
	crashRate  float64
	crashed    bool
	deliveries int
	// old makes the handler save as an earlier version did: the cursor's
	// own watermark (cur's), no sweep fields.
	old bool
	cur *cloudwatch.Cursor
}

func (h *mhandler) Page(_ context.Context, evs []cloudwatch.Event, saved checkpoint.Cursor) error {
	for _, e := range evs {
		h.ids[e.ID]++
	}
	h.deliveries++
	if h.crashRate > 0 && len(evs) > 0 && h.rng.Float64() < h.crashRate {
		for _, e := range evs {
			h.allowDup[e.ID]++
		}
		h.crashed = true
		return errCrash
	}
	if h.old {
		saved.Watermark, saved.SweepFrom, saved.SweptTo = h.cur.Watermark, 0, 0
	}
	h.saved = saved
	h.hasSaved = true
	return nil
}

type modelCfg struct {
	overlaps, sweeps, lags []time.Duration
	changeCfg              bool            // change overlap/sweep at restarts
	changeOverlaps         []time.Duration // if set, overlap changes pick from these
	changeSweepOnly        bool
	raiseOnly              bool
	changeLag              bool
	downgrade              bool // alternate an earlier version and this one at restarts
	exclude                bool
	upgradeOnly            bool
}

type modelResult struct {
	within, lost, dupes, maxHeld int
	lostExamples                 []string
	dupExamples                  []string
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

func runModel(t *testing.T, seed uint64, mc modelCfg) modelResult {
	rng := rand.New(rand.NewPCG(seed, 7))
	pick := func(ds []time.Duration) time.Duration { return ds[rng.IntN(len(ds))] }
	overlap, sweep, lag := pick(mc.overlaps), pick(mc.sweeps), pick(mc.lags)
	minOverlap := overlap
	minLag := lag
	oldMode := mc.upgradeOnly
	now := int64(1_700_000_000_000)
	api := &memAPI{now: &now, pageSize: 1 + rng.IntN(12), emptyRate: []float64{0, 0.05, 0.3}[rng.IntN(3)],
		rng: rand.New(rand.NewPCG(seed, 8))}
	nowf := func() time.Time { return time.UnixMilli(now) }
	mk := func() *cloudwatch.Puller {
		return cloudwatch.NewPuller(api, modelConfig(overlap, sweep, lag, nowf, 1+rng.IntN(5)))
	}
	p := mk()
	floor := now - ms(time.Duration(rng.IntN(3))*time.Minute)
	if rng.IntN(5) == 0 {
		floor = now + ms(time.Duration(rng.IntN(120))*time.Second) // start_from ahead
	}
	cur := cloudwatch.NewCursor(floor)
	h := &mhandler{rng: rand.New(rand.NewPCG(seed, 9)), ids: map[string]int{}, allowDup: map[string]int{}}
	type want struct {
		e     *memEv
		delay int64
	}
	var all []want
	var lastT int64
	restart := func() {
		if !h.hasSaved {
			cur = cloudwatch.NewCursor(floor)
			return
		}
		cur = reloaded(t, h.saved)
	}
	maxHeld := 0
	steps := 100 + rng.IntN(300)
	stepDur := func() int64 {
		switch rng.IntN(4) {
		case 0:
			return int64(rng.IntN(2000))
		case 1:
			return 30_000
		default:
			return int64(rng.IntN(90_000))
		}
	}
	quietFrom := -1
	var maxLagOverlap int64
	for i := 0; ; i++ {
		quiet := i >= steps
		if quiet && quietFrom < 0 {
			quietFrom = i
			api.failRate, h.crashRate, api.emptyRate = 0, 0, 0
		}
		if !quiet {
			// arrivals: ingestion in [now, now+next step), timestamp = ingest - delay
			for range rng.IntN(8) {
				ing := now + int64(rng.IntN(30_000))
				lo := ms(lag) + ms(overlap)
				var delay int64
				switch r := rng.IntN(100); {
				case r < 40:
					delay = int64(rng.IntN(int(ms(lag)) + 1))
				case r < 70:
					delay = int64(rng.Int64N(lo + 1))
				case r < 80:
					delay = lo // exactly on the bound
				case r < 85:
					delay = lo - 1
				case r < 90:
					delay = -int64(rng.IntN(120_000)) // timestamp ahead of ingestion
				default:
					delay = lo + 1 + int64(rng.IntN(600_000))
				}
				ts := ing - delay
				burst := 1
				if rng.IntN(6) == 0 {
					burst = 2 + rng.IntN(30) // same millisecond
				}
				for range burst {
					e := api.put(ts, ing, fmt.Sprintf("kube-apiserver-audit-%d", rng.IntN(3)))
					all = append(all, want{e, delay})
					lastT = max(lastT, e.ts, e.ing)
				}
			}
			api.failRate = []float64{0, 0.02, 0.1, 0.3}[rng.IntN(4)]
			h.crashRate = []float64{0, 0, 0.02, 0.1}[rng.IntN(4)]
		}
		if !quiet && rng.IntN(12) == 0 { // clean restart
			if mc.changeCfg {
				switch {
				case mc.changeSweepOnly:
					sweep = pick(mc.sweeps)
				case mc.changeOverlaps != nil:
					o := pick(mc.changeOverlaps)
					if mc.raiseOnly {
						o = max(o, overlap)
					}
					overlap, sweep = o, pick(mc.sweeps)
				default:
					overlap, sweep = pick(mc.overlaps), pick(mc.sweeps)
				}
				minOverlap = min(minOverlap, overlap)
			}
			if mc.changeLag {
				lag = pick(mc.lags)
				minLag = min(minLag, lag)
			}
			if mc.downgrade {
				oldMode = rng.IntN(2) == 0
			}
			if mc.upgradeOnly && rng.IntN(3) == 0 {
				oldMode = false
			}
			p = mk()
			restart()
		}
		if oldMode {
			// An earlier version: it re-reads the overlap before its
			// watermark on every poll, which this version does with no
			// sweep recorded, and saves no sweep fields.
			cur.SweptTo, cur.SweepFrom = 0, 0
		}
		h.old, h.cur = oldMode, cur
		q := modelQuery
		if mc.exclude {
			q.Prefix, q.ExcludePrefix = "kube-apiserver-", "kube-apiserver-audit-2"
		}
		_, err := p.Poll(context.Background(), q, cur, h)
		if h.crashed {
			h.crashed = false
			restart()
		}
		_ = err
		maxHeld = max(maxHeld, cur.Len())
		maxLagOverlap = max(maxLagOverlap, ms(lag)+ms(overlap))
		d := stepDur()
		now += d
		if quiet && i-quietFrom > 20 && now-lastT > 3*(ms(overlap)+ms(sweep)+ms(lag))+600_000 {
			break
		}
	}
	var res modelResult
	res.maxHeld = maxHeld
	bound := ms(minLag) + ms(minOverlap)
	for _, w := range all {
		n := h.ids[w.e.id]
		if n > 1+h.allowDup[w.e.id] {
			res.dupes++
			if len(res.dupExamples) < 3 {
				res.dupExamples = append(res.dupExamples, fmt.Sprintf("ts=%d ing=%d delay=%d n=%d", w.e.ts, w.e.ing, w.delay, n))
			}
		}
		if mc.exclude && w.e.stream == "kube-apiserver-audit-2" {
			if n > 0 {
				res.dupes++
			}
			continue
		}
		if w.delay <= bound && w.e.ts >= floor {
			res.within++
			if n == 0 {
				res.lost++
				if len(res.lostExamples) < 3 {
					res.lostExamples = append(res.lostExamples, fmt.Sprintf("ts=%d ing=%d delay=%d (bound %d) floor=%d", w.e.ts, w.e.ing, w.delay, bound, floor))
				}
			}
		}
	}
	return res
}

var modelSeeds = flag.Int("model-seeds", 12, "random runs of each configuration of the windowing model")

func seeds() int { return *modelSeeds }

func runModels(t *testing.T, mc modelCfg) {
	tot := modelResult{}
	bad := 0
	for seed := range uint64(seeds()) {
		r := runModel(t, seed, mc)
		tot.within += r.within
		tot.lost += r.lost
		tot.dupes += r.dupes
		if r.lost > 0 || r.dupes > 0 {
			bad++
			if bad <= 8 {
				t.Errorf("seed %d: lost %d of %d, dupes %d; lost %v dups %v", seed, r.lost, r.within, r.dupes, r.lostExamples, r.dupExamples)
			}
		}
	}
	t.Logf("%d seeds: %d events within bound, %d lost, %d dupes beyond crash allowance, %d bad seeds", seeds(), tot.within, tot.lost, tot.dupes, bad)
}

var (
	allOverlaps = []time.Duration{0, 5 * time.Second, time.Minute, 10 * time.Minute}
	allSweeps   = []time.Duration{0, time.Second, 30 * time.Second, 3 * time.Minute, 5 * time.Minute, 20 * time.Minute}
	allLags     = []time.Duration{0, time.Second, time.Minute}
)

func TestModel_FixedConfig(t *testing.T) {
	t.Parallel()
	runModels(t, modelCfg{overlaps: allOverlaps, sweeps: allSweeps, lags: allLags})
}

func TestModel_ConfigChanges(t *testing.T) {
	t.Parallel()
	runModels(t, modelCfg{overlaps: allOverlaps, sweeps: allSweeps, lags: allLags, changeCfg: true})
}

func TestModel_SweepChangesOnly(t *testing.T) {
	t.Parallel()
	runModels(t, modelCfg{overlaps: allOverlaps, sweeps: allSweeps, lags: allLags, changeCfg: true, changeSweepOnly: true})
}

func TestModel_OverlapChangesNonZero(t *testing.T) {
	t.Parallel()
	runModels(t, modelCfg{overlaps: []time.Duration{time.Minute, 10 * time.Minute}, sweeps: allSweeps, lags: allLags, changeCfg: true,
		changeOverlaps: []time.Duration{time.Minute, 10 * time.Minute}})
}

func TestModel_OverlapRaiseOnly(t *testing.T) {
	t.Parallel()
	runModels(t, modelCfg{overlaps: []time.Duration{0, 5 * time.Second, time.Minute}, sweeps: allSweeps, lags: allLags, changeCfg: true,
		changeOverlaps: allOverlaps, raiseOnly: true})
}

func TestModel_LagChanges(t *testing.T) {
	t.Parallel()
	runModels(t, modelCfg{overlaps: allOverlaps, sweeps: allSweeps, lags: allLags, changeCfg: true, changeSweepOnly: true, changeLag: true})
}

func TestModel_Downgrade(t *testing.T) {
	t.Parallel()
	runModels(t, modelCfg{overlaps: allOverlaps, sweeps: allSweeps, lags: allLags, downgrade: true})
}

func TestModel_Exclude(t *testing.T) {
	t.Parallel()
	runModels(t, modelCfg{overlaps: allOverlaps, sweeps: allSweeps, lags: allLags, exclude: true})
}

func TestModel_UpgradeOnly(t *testing.T) {
	t.Parallel()
	runModels(t, modelCfg{overlaps: allOverlaps, sweeps: allSweeps, lags: allLags, upgradeOnly: true})
}

func modelConfig(o, s, l time.Duration, now func() time.Time, maxEmpty int) cloudwatch.PullerConfig {
	return cloudwatch.PullerConfig{Overlap: o, SweepInterval: s, Lag: l, Now: now, MaxEmptyPages: maxEmpty}
}
