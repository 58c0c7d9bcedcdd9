//go:build !linux || race

package hugebuf

import "testing"

func TestReserveUsesTheHeap(t *testing.T) {
	if Reserve(1<<20) != nil {
		t.Fatal("Reserve outside Linux or under the race detector: want nil (the Go heap is used)")
	}
}
