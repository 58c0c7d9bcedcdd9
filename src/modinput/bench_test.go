package modinput_test

import (
	"io"
	"testing"

	"github.com/kubelens/kubelens/src/modinput"
	"github.com/kubelens/kubelens/src/sink"
)

// auditLine is the size of a typical Metadata-level audit event.
var auditLine = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"7c0e6d1c-2f0a-4a55-9a39-0d8c1a2b3c4d","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods?limit=500","verb":"list","user":{"username":"system:serviceaccount:kube-system:replicaset-controller","groups":["system:serviceaccounts","system:authenticated"]},"sourceIPs":["192.0.2.10"],"userAgent":"kube-controller-manager/v1.30.0","objectRef":{"resource":"pods","namespace":"default","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-01-01T00:00:00.000000Z","stageTimestamp":"2026-01-01T00:00:00.004000Z"}`

// devNull counts writes, standing in for the pipe to splunkd.
type devNull struct{ writes int }

func (d *devNull) Write(b []byte) (int, error) { d.writes++; return len(b), nil }

// BenchmarkEventWriter_FlushEach measures the per-event flush the protocol
// asks for (one write call per event).
func BenchmarkEventWriter_FlushEach(b *testing.B) {
	ew := modinput.NewEventWriter(&devNull{})
	e := modinput.Event{Stanza: "eks_logs://prod", TimeMillis: 1700000000000, Source: "us-east-1:/aws/eks/prod/cluster:kube-apiserver-audit-0123", SourceType: "aws:cloudwatchlogs:eks", Data: auditLine}
	b.SetBytes(int64(len(auditLine)))
	for b.Loop() {
		if err := ew.Write(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEventWriter_Buffered is the same without flushing, for comparison.
func BenchmarkEventWriter_Buffered(b *testing.B) {
	ew := modinput.NewEventWriter(io.Discard)
	e := modinput.Event{Stanza: "eks_logs://prod", TimeMillis: 1700000000000, Source: "us-east-1:/aws/eks/prod/cluster:kube-apiserver-audit-0123", SourceType: "aws:cloudwatchlogs:eks", Data: auditLine}
	b.SetBytes(int64(len(auditLine)))
	for b.Loop() {
		if err := ew.WriteBuffered(e); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEventWriter_SendFlushesOncePerPage verifies that a page of events
// reaches splunkd in one write, not one per event.
func TestEventWriter_SendFlushesOncePerPage(t *testing.T) {
	w := &devNull{}
	ew := modinput.NewStanzaWriter(w, "eks_logs://prod")
	page := make([]sink.Event, 50)
	for i := range page {
		page[i] = sink.Event{TimeMillis: 1700000000000, Source: "s", SourceType: "st", Data: "x"}
	}
	if _, err := ew.Send(t.Context(), page); err != nil {
		t.Fatal(err)
	}
	if w.writes != 1 {
		t.Errorf("a page of 50 small events took %d writes, want 1", w.writes)
	}
}

// BenchmarkEventWriter_SendPage is the per-page flush eks_logs uses.
func BenchmarkEventWriter_SendPage(b *testing.B) {
	ew := modinput.NewStanzaWriter(&devNull{}, "eks_logs://prod")
	page := make([]sink.Event, 100)
	for i := range page {
		page[i] = sink.Event{TimeMillis: 1700000000000, Source: "us-east-1:/aws/eks/prod/cluster:kube-apiserver-audit-0123", SourceType: "aws:cloudwatchlogs:eks", Data: auditLine}
	}
	b.SetBytes(int64(len(auditLine) * len(page)))
	for b.Loop() {
		if _, err := ew.Send(b.Context(), page); err != nil {
			b.Fatal(err)
		}
	}
}
