package eksservice

import (
	"context"
	"sync"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch"
	"github.com/kubelens/kubelens/src/eksinput"
	"github.com/kubelens/kubelens/src/sink"
)

// item is one page on its way to the sinks: its events and the cursor to
// save once every sink has them. hasSaved is false once a later page of
// the same source is queued behind it: the two go out in the same take,
// and the later cursor, saved after both, covers this page too.
type item struct {
	events   []sink.Event
	saved    checkpoint.Cursor
	hasSaved bool
	bytes    int64
}

// queue is the bounded hand-over between an input's puller and its
// delivery: Page blocks while the queue holds max bytes (back-pressure:
// nothing is dropped, memory stays bounded); bytes are released only once
// the sinks have the events, so the bound covers what is in flight too.
type queue struct {
	in  *eksinput.Input
	max int64

	mu      sync.Mutex
	items   []item
	bytes   int64
	closed  bool
	wake    chan struct{} // an item was added or the queue closed
	room    chan struct{} // bytes were released
	dead    chan struct{} // delivery stopped
	deadErr error
}

var _ cloudwatch.Handler = (*queue)(nil)

func newQueue(in *eksinput.Input, max int64) *queue {
	return &queue{in: in, max: max, wake: make(chan struct{}, 1), room: make(chan struct{}, 1), dead: make(chan struct{})}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Page implements cloudwatch.Handler: it queues the page, waiting for room.
// A page larger than the whole bound is taken when the queue is empty.
//
// A saved cursor holds the headers of every remembered ID's bucket (32
// bytes each; 600,000 at 1,000 events/s over ten minutes): the queue keeps
// only the newest of each source, so that a queue of many pages does not
// hold as many copies.
func (q *queue) Page(ctx context.Context, evs []cloudwatch.Event, saved checkpoint.Cursor) error {
	it := item{events: q.in.SinkEvents(evs), saved: saved, hasSaved: true}
	for _, e := range it.events {
		it.bytes += int64(e.Size())
	}
	key := saved.Key()
	for {
		q.mu.Lock()
		if q.bytes == 0 || q.bytes+it.bytes <= q.max {
			for i := range q.items {
				if old := &q.items[i]; old.hasSaved && old.saved.Key() == key {
					old.saved, old.hasSaved = checkpoint.Cursor{}, false
				}
			}
			q.items = append(q.items, it)
			q.bytes += it.bytes
			q.mu.Unlock()
			signal(q.wake)
			return nil
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-q.dead:
			return q.deadErr
		case <-q.room:
		}
	}
}

// take returns every queued item (nil once closed and empty), waiting for
// one.
func (q *queue) take(ctx context.Context) ([]item, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			out := q.items
			q.items = nil
			q.mu.Unlock()
			return out, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return nil, false
		}
		select {
		case <-ctx.Done():
			return nil, false
		case <-q.wake:
		}
	}
}

// release frees the bytes of delivered items.
func (q *queue) release(n int64) {
	q.mu.Lock()
	q.bytes -= n
	q.mu.Unlock()
	signal(q.room)
}

// close says no more pages will come.
func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	signal(q.wake)
}

// fail stops the queue: pullers waiting for room get err.
func (q *queue) fail(err error) {
	q.mu.Lock()
	if q.deadErr == nil {
		q.deadErr = err
		close(q.dead)
	}
	q.mu.Unlock()
}

// Bytes returns the bytes held, in queue and in flight.
func (q *queue) Bytes() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes
}
