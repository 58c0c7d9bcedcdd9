package eksservice

import (
	"testing"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/cloudwatch"
	"github.com/kubelens/kubelens/src/eksinput"
)

// TestQueue_KeepsTheNewestCursorOfEachSource verifies that pages queued
// behind one another keep every event but only the newest saved cursor of
// each source (the one saved once the take is delivered), and that a page
// queued after a take keeps its own.
func TestQueue_KeepsTheNewestCursorOfEachSource(t *testing.T) {
	q := newQueue(&eksinput.Input{}, 1<<30)
	cursor := func(prefix string, wm int64) checkpoint.Cursor {
		c := checkpoint.Cursor{Position: checkpoint.Position{Watermark: wm}, Seen: []checkpoint.Bucket{{Timestamp: wm, IDs: []uint64{1}}}}
		c.SetKey(checkpoint.Key{Region: "us-east-1", LogGroup: "/aws/eks/c/cluster", Prefix: prefix})
		return c
	}
	page := func(prefix string, wm int64) {
		if err := q.Page(t.Context(), []cloudwatch.Event{{ID: prefix, Timestamp: wm, Message: "m"}}, cursor(prefix, wm)); err != nil {
			t.Fatal(err)
		}
	}
	for wm := int64(1); wm <= 5; wm++ {
		page("kube-apiserver-audit-", wm)
		if wm%2 == 1 {
			page("authenticator-", wm)
		}
	}
	items, _ := q.take(t.Context())
	events, saved := 0, map[string]int64{}
	for _, it := range items {
		events += len(it.events)
		if it.hasSaved {
			if _, twice := saved[it.saved.Prefix]; twice {
				t.Errorf("two cursors of %s kept", it.saved.Prefix)
			}
			saved[it.saved.Prefix] = it.saved.Watermark
		}
	}
	if events != 8 || len(saved) != 2 || saved["kube-apiserver-audit-"] != 5 || saved["authenticator-"] != 5 {
		t.Errorf("%d events, cursors kept %v; want 8 events and each source's newest (watermark 5)", events, saved)
	}
	page("kube-apiserver-audit-", 6)
	if items, _ := q.take(t.Context()); len(items) != 1 || !items[0].hasSaved || items[0].saved.Watermark != 6 {
		t.Errorf("a page after the take: %+v", items)
	}
}
