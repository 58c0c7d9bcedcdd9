package chunked

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"
)

// fillState is how far rows have arrived. Serve reads a body while the
// command already works on its first rows: the reading goroutine scans
// each piece for whole rows and publishes them; the command's goroutines
// claim them in batches (Claim).
type fillState struct {
	cond    sync.Cond
	active  bool  // rows may still come
	header  bool  // the header line has arrived
	n       int   // rows published
	claimed int   // rows handed out by Claim
	err     error // why the rows stopped early

	// The reading goroutine's own state.
	pos int // where the next line starts
}

// errMore says a line runs past what has arrived.
var errMore = errors.New("chunked: more of the body is needed")

// beginFill prepares t for a body of total bytes arriving into buf.
func (t *Table) beginFill(total int) {
	side := t.side
	if side != nil {
		side.reset()
	} else {
		side = newArena()
	}
	t.columns, t.byName, t.fields, t.width = nil, nil, nil, 0
	t.body, t.bodyLen, t.own, t.header = "", total, nil, ""
	t.side, t.tw, t.writers = side, nil, nil
	// A row takes at least one byte: the store never grows while rows come.
	t.rows.reset(total + 1)
	t.fill = fillState{active: true}
	t.fill.cond.L = &t.mu
}

// fed scans the body as far as filled bytes of buf have arrived (buf
// holds the whole body once it has) and publishes the whole rows found. An
// error is a protocol error; the rows stop there.
func (t *Table) fed(buf []byte, filled int) error {
	if t.bodyLen == 0 {
		return nil
	}
	final := filled == t.bodyLen
	visible := unsafe.String(unsafe.SliceData(buf), filled)
	f := &t.fill
	if !f.header {
		if filled == 0 && !final {
			return nil
		}
		end, next, _, err := scanLine(visible, 0, 0, final)
		if err == errMore {
			return nil
		}
		if err != nil {
			return t.stopFill(err)
		}
		t.header = visible[:end]
		names := splitLine(t.header, nil)
		for i, h := range names {
			names[i] = strings.Clone(unquoteCell(h)) // names outlive the chunk in maps
		}
		t.setColumns(names)
		f.pos = next
		t.mu.Lock()
		t.body = visible
		f.header = true
		f.cond.Broadcast()
		t.mu.Unlock()
	}
	start := t.rows.n
	for f.pos < len(visible) {
		if n := blankLine(visible[f.pos:]); n > 0 {
			// A blank line is an empty value in a one-column table and
			// carries nothing in a wider one.
			if t.width == 1 {
				t.rows.add(rowSpan{uint32(f.pos), uint32(f.pos)})
			}
			f.pos += n
			continue
		}
		if visible[f.pos] == '\r' && f.pos+1 == len(visible) && !final {
			break // a "\r\n" or a line starting with "\r"
		}
		end, next, fields, err := scanLine(visible, f.pos, t.rows.n+1, final)
		if err == errMore {
			break
		}
		if err != nil {
			t.publish(visible, start)
			return t.stopFill(err)
		}
		if fields != t.width {
			t.publish(visible, start)
			return t.stopFill(ProtocolError(fmt.Sprintf("csv record %d has %d fields, the header has %d", t.rows.n+1, fields, t.width)))
		}
		t.rows.add(rowSpan{uint32(f.pos), uint32(end)})
		f.pos = next
	}
	t.publish(visible, start)
	return nil
}

// publish makes the rows stored since start available to Claim.
func (t *Table) publish(visible string, start int) {
	if t.rows.n == start && len(visible) == len(t.body) {
		return
	}
	t.mu.Lock()
	t.body = visible
	t.fill.n = t.rows.n
	t.fill.cond.Broadcast()
	t.mu.Unlock()
}

// stopFill records why rows stopped and returns it.
func (t *Table) stopFill(err error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fill.err == nil {
		t.fill.err = err
	}
	t.fill.active = false
	t.fill.cond.Broadcast()
	return err
}

// endFill ends the filling: the body arrived whole (nil) or not.
func (t *Table) endFill(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fill.err == nil {
		t.fill.err = err
	}
	if t.fill.err == nil && !t.fill.header {
		t.setColumns(nil) // an empty body
		t.fill.header = true
	}
	t.fill.active = false
	t.fill.cond.Broadcast()
}

// waitHeader waits for the header line (the columns), or for the reason
// it will not come.
func (t *Table) waitHeader() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for !t.fill.header && t.fill.err == nil && t.fill.active {
		t.fill.cond.Wait()
	}
	return t.fill.err
}

// fillErr is why the rows stopped early, once they have stopped.
func (t *Table) fillErr() error {
	t.Len()
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.fill.err
}

// BodyLen returns the size of the body the table is made of, in bytes,
// known before it has all arrived: a command uses it to size its work.
func (t *Table) BodyLen() int { return t.bodyLen }

// Claim hands out the next at most max rows, [lo, hi), waiting until some
// have arrived. lo == hi means there are no more: the body has been read
// and every row handed out, or the rows stopped early (Serve then replies
// with the reason). Goroutines that share a table's rows claim them in
// batches, each through its own RowWriter.
func (w *RowWriter) Claim(max int) (lo, hi int) {
	t := w.t
	t.mu.Lock()
	defer t.mu.Unlock()
	f := &t.fill
	for f.claimed == f.n && f.active && f.err == nil {
		f.cond.Wait()
	}
	if f.err != nil || f.claimed == f.n {
		return f.claimed, f.claimed
	}
	lo, hi = f.claimed, min(f.n, f.claimed+max)
	f.claimed = hi
	w.limit, w.body = f.n, t.body
	return lo, hi
}
