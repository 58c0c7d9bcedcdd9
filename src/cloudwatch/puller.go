package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/eks"
)

// Query is one FilterLogEvents query: a log group and a stream-name prefix.
// Streams starting with ExcludePrefix are dropped client-side (the "api"
// prefix kube-apiserver- also matches the audit streams). Region, Principal
// and Endpoint do not change the call (the client carries them); they make
// the query's checkpoint key, so that a cursor is never resumed against
// another source.
type Query struct {
	LogGroup      string
	Prefix        string
	ExcludePrefix string
	Region        string
	Principal     string
	Endpoint      string
}

// Key returns the checkpoint key of the query.
func (q Query) Key() checkpoint.Key {
	return checkpoint.Key{Region: q.Region, Principal: q.Principal, Endpoint: q.Endpoint, LogGroup: q.LogGroup, Prefix: q.Prefix}
}

// Event is one log event as read from CloudWatch Logs.
type Event struct {
	LogGroup      string
	Stream        string
	ID            string
	Timestamp     int64 // epoch ms, producer time
	IngestionTime int64 // epoch ms
	Message       string
}

// QueryOf returns the query of one EKS log type in a log group.
func QueryOf(group string, lt eks.LogType) Query {
	return Query{LogGroup: group, Prefix: lt.StreamPrefix, ExcludePrefix: lt.ExcludePrefix}
}

// Handler receives each page's new events together with the cursor that
// covers them.
type Handler interface {
	// Page is called once per page that brought new events or moved the
	// cursor (events may then be empty). saved is the cursor as it stands
	// after the page, a copy the handler keeps: it must save it only once
	// every event of this page and of the pages before it has been
	// delivered, so that a checkpoint never covers an event that was not.
	// A synchronous handler delivers and saves before returning; a queueing
	// one may return first and save later, in order. An error ends the
	// poll; the in-memory cursor still counts the page's events as emitted,
	// so the caller restarts from the saved checkpoint if it must retry
	// them.
	Page(ctx context.Context, events []Event, saved checkpoint.Cursor) error
}

// PullerConfig holds the windowing parameters.
type PullerConfig struct {
	// Overlap is how far behind the end of the previous sweep's window a
	// late sweep starts, to pick up events ingested late: an event
	// ingested up to Lag + Overlap after its timestamp is emitted, at the
	// latest by the first sweep that begins after its ingestion and
	// completes.
	Overlap time.Duration
	// SweepInterval is how far, in event time, the window may run past the
	// end of the previous sweep's window before a poll is a late sweep;
	// the polls in between read from the watermark on. 0 makes every poll
	// a sweep.
	SweepInterval time.Duration
	// Lag is how far behind now a query window ends, so the window never
	// outruns events still being ingested.
	Lag time.Duration
	// Limit is the page size asked for (default and maximum 10000).
	Limit int32
	// MaxEmptyPages ends a poll after that many consecutive empty pages, so a
	// service that keeps answering "no events, here is a token" cannot hold
	// the input forever; the next poll resumes from the cursor. Default 100.
	MaxEmptyPages int
	// ClockTolerance is how far a watermark may be ahead of Now before Poll
	// takes it for the mark of a clock that was ahead, and rewinds the
	// cursor (default 1 minute). A watermark is never ahead of the clock
	// that saved it, so one ahead of ours came from a clock that was.
	ClockTolerance time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Puller runs queries against the API.
type Puller struct {
	api API
	cfg PullerConfig
}

// NewPuller returns a puller with defaults applied.
func NewPuller(api API, cfg PullerConfig) *Puller {
	if cfg.Limit <= 0 || cfg.Limit > 10000 {
		cfg.Limit = 10000
	}
	if cfg.MaxEmptyPages <= 0 {
		cfg.MaxEmptyPages = 100
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ClockTolerance <= 0 {
		cfg.ClockTolerance = DefaultClockTolerance
	}
	return &Puller{api: api, cfg: cfg}
}

// PollStats counts what one poll of one query did.
type PollStats struct {
	Pages, EmptyPages int
	Emitted           int // new events handed to Emit
	Duplicates        int // dropped because their eventId was already emitted
	Filtered          int // dropped by ExcludePrefix
	Truncated         int // emitted events ending in [Truncated...]
	Late              int // emitted events older than the watermark at poll start: what the overlap recovered
	// Sweep is true when the poll was a late sweep: it read from the
	// cursor's SweepFrom instead of from the watermark.
	Sweep bool
	// BeyondOverlap counts emitted events whose ingestion came later than lag
	// plus overlap after their timestamp: events that late can be missed.
	BeyondOverlap int
	// Complete is true when the query was paged to its end.
	Complete bool
	// ClockAhead, when not zero, is how far the cursor's watermark was ahead
	// of the clock when the poll began; the cursor was rewound to RewoundTo
	// (epoch ms) before reading.
	ClockAhead time.Duration
	RewoundTo  int64
}

// DefaultClockTolerance is PullerConfig.ClockTolerance's default.
const DefaultClockTolerance = time.Minute

// ErrLogGroupNotFound wraps the service's ResourceNotFoundException.
var ErrLogGroupNotFound = errors.New("log group does not exist")

// Poll reads the window [start, now − lag] of q, page by page. For each
// page it records the events not yet emitted in the cursor, advances the
// watermark to the page's last timestamp and hands both to h.Page — so
// with a synchronous handler a crash re-emits at most the page in hand.
// When the last page is read, the watermark moves to the window end and
// h.Page gets that cursor with no events.
//
// Most polls start at the watermark. A poll whose window end has run
// SweepInterval or more past the window end of the last sweep that
// completed (the cursor's SweptTo) is a late sweep: it starts at the
// cursor's SweepFrom, Overlap before that end, so that it finds what
// CloudWatch ingested after earlier polls had passed its timestamp, and on
// completion sets SweptTo to its own window end and SweepFrom to Overlap
// before it. So does the first poll of a cursor without
// SweepFrom, and the poll that rewinds a cursor. Why that start suffices:
// an event ingested at i with timestamp t ≥ i − lag − overlap that no poll
// has read is read by the first sweep that begins after i and completes,
// because that sweep starts where a sweep that began before i ended,
// less the overlap: at most i − lag − overlap. A sweep cut short moves
// SweepFrom up to where it stopped reading, when that comes first
// (Cursor.markSwept), and leaves SweptTo: the next poll sweeps on from
// there, so a failing sweep cannot make the next one, nor the IDs kept for
// it, grow without bound.
//
// On an error (retries exhausted, group absent, Page failing) Poll returns;
// the caller tries again at the next poll. Cancelling ctx abandons the call
// in flight, never a page in hand.
func (p *Puller) Poll(ctx context.Context, q Query, cur *Cursor, h Handler) (PollStats, error) {
	var st PollStats
	overlap := p.cfg.Overlap.Milliseconds()
	lateAfter := (p.cfg.Lag + p.cfg.Overlap).Milliseconds()
	now := p.cfg.Now()
	end := now.Add(-p.cfg.Lag).UnixMilli()
	if ahead := cur.Watermark - now.UnixMilli(); ahead > p.cfg.ClockTolerance.Milliseconds() {
		// Saved by (or reached under) a clock that was ahead: read again
		// from the newest event emitted, or now - lag, whichever is older.
		// Otherwise every poll would end at once until the clock caught up
		// with the watermark, and the events of that time would never be
		// read.
		st.ClockAhead = time.Duration(ahead) * time.Millisecond
		st.RewoundTo = cur.Rewind(end, overlap)
	}
	// With no overlap a sweep would read from the mark, which is where the
	// watermark stood: every poll may as well be one, and keep the mark up.
	// After a rewind, a sweep reads the overlap before the newest event
	// emitted again, and what waited for a sweep.
	st.Sweep = overlap == 0 || st.ClockAhead > 0 || cur.sweepDue(end, overlap, p.cfg.SweepInterval.Milliseconds())
	start := cur.start(overlap, st.Sweep)
	if end < start {
		st.Complete = true // nothing can be due yet (start_from ahead of now − lag)
		return st, nil
	}
	startWatermark := cur.Watermark
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName:        aws.String(q.LogGroup),
		LogStreamNamePrefix: aws.String(q.Prefix),
		StartTime:           aws.Int64(start),
		EndTime:             aws.Int64(end),
		Limit:               aws.Int32(p.cfg.Limit),
	}
	empty := 0
	for {
		out, err := p.api.FilterLogEvents(ctx, in)
		if err != nil {
			var nf *types.ResourceNotFoundException
			if errors.As(err, &nf) {
				return st, fmt.Errorf("cloudwatch: %s: %w: %w", q.LogGroup, ErrLogGroupNotFound, err)
			}
			return st, fmt.Errorf("cloudwatch: filter log events %s prefix %s: %w", q.LogGroup, q.Prefix, err)
		}
		st.Pages++
		if len(out.Events) == 0 {
			st.EmptyPages++
			empty++
		} else {
			empty = 0
		}
		fresh := make([]Event, 0, len(out.Events))
		ids := make([]seenID, 0, len(out.Events)) // fresh's, hashed once
		inPage := map[uint64]int64{}
		var last int64 = -1
		for _, e := range out.Events {
			ev := Event{LogGroup: q.LogGroup, Stream: aws.ToString(e.LogStreamName), ID: aws.ToString(e.EventId),
				Timestamp: aws.ToInt64(e.Timestamp), IngestionTime: aws.ToInt64(e.IngestionTime), Message: aws.ToString(e.Message)}
			last = max(last, ev.Timestamp)
			if q.ExcludePrefix != "" && strings.HasPrefix(ev.Stream, q.ExcludePrefix) {
				st.Filtered++
				continue
			}
			hash := IDHash(ev.ID)
			if ts, dup := inPage[hash]; (dup && ts == ev.Timestamp) || cur.has(ev.Timestamp, hash) {
				st.Duplicates++
				continue
			}
			inPage[hash] = ev.Timestamp
			if ev.Timestamp < startWatermark {
				st.Late++
			}
			if ev.IngestionTime-ev.Timestamp > lateAfter {
				st.BeyondOverlap++
			}
			if eks.IsTruncated(ev.Message) {
				st.Truncated++
			}
			fresh = append(fresh, ev)
			ids = append(ids, seenID{ev.Timestamp, hash})
		}
		before := cur.Position
		cur.addIDs(ids) // sorts ids: fresh keeps the page's order
		if st.Sweep && last >= 0 {
			cur.markSwept(min(last, end), end, overlap)
		}
		// Results are sorted by timestamp, so everything visible before the
		// page's last timestamp has been seen; events at that very
		// millisecond may continue on the next page and are covered by the
		// seen set.
		moved := last >= 0 && cur.advance(min(last, end))
		if len(fresh) > 0 || moved {
			cur.prune(overlap)
			if err := h.Page(ctx, fresh, cur.Saved(q, overlap)); err != nil {
				// Not delivered: forget the page, so a later poll with this
				// cursor reads it again (IDs the prune dropped may then be
				// emitted twice; none is lost).
				cur.Position = before
				cur.removePage(fresh)
				return st, fmt.Errorf("cloudwatch: deliver: %w", err)
			}
			st.Emitted += len(fresh)
		}
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		if empty >= p.cfg.MaxEmptyPages {
			return st, fmt.Errorf("cloudwatch: %s prefix %s: %d empty pages in a row; resuming at the next poll", q.LogGroup, q.Prefix, empty)
		}
		// A repeated token is not the end: FilterLogEvents may hand back the
		// same token on empty pages, and only its absence ends the results.
		in.NextToken = out.NextToken
	}
	st.Complete = true
	before := cur.Position
	cur.advance(end)
	if st.Sweep {
		cur.swept(end, overlap)
	}
	if cur.Position != before || st.ClockAhead > 0 {
		cur.prune(overlap)
		if err := h.Page(ctx, nil, cur.Saved(q, overlap)); err != nil {
			cur.Position = before
			return st, fmt.Errorf("cloudwatch: deliver: %w", err)
		}
	}
	return st, nil
}
