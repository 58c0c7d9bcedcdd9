package hecfake_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/sink/hec/hecfake"
)

const (
	token   = "tok"
	channel = "0f1e2d3c-4b5a-4697-8877-665544332211"
)

// post sends one event on the channel; it returns the ackId, or -1 when
// the connection was closed without an answer.
func post(t *testing.T, srv *hecfake.Server, event string) int64 {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/services/collector/event", strings.NewReader(`{"event":"`+event+`"}`))
	req.Header.Set("Authorization", "Splunk "+token)
	req.Header.Set("X-Splunk-Request-Channel", channel)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var r struct{ AckID int64 }
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&r) != nil {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
	return r.AckID
}

// acked asks for the acknowledgement of ids.
func acked(t *testing.T, srv *hecfake.Server, ids ...int64) map[string]bool {
	t.Helper()
	b, _ := json.Marshal(map[string][]int64{"acks": ids})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/services/collector/ack?channel="+channel, strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Splunk "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct{ Acks map[string]bool }
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r.Acks
}

// TestCrashAfter verifies the restart the HEC sink's tests rely on: the
// batches taken before it are lost, ackIds start again at 0 on the same
// channel, and an ackId's status is dropped once it answered true.
func TestCrashAfter(t *testing.T) {
	srv := hecfake.New([]string{token})
	defer srv.Close()
	srv.CrashAfter(2)
	if a, b := post(t, srv, "a"), post(t, srv, "b"); a != 0 || b != 1 {
		t.Fatalf("ackIds %d, %d", a, b)
	}
	if c := post(t, srv, "c"); c != 0 {
		t.Errorf("after the restart the ackId is %d, want 0 again", c)
	}
	if got := acked(t, srv, 0, 1); !got["0"] || got["1"] {
		t.Errorf("acks %v: want 0 (c) true, 1 unknown", got)
	}
	if got := acked(t, srv, 0); got["0"] {
		t.Error("an ackId answered true twice")
	}
	evs := srv.Events()
	if len(evs) != 1 || evs[0].Event != "c" || srv.Stats().LostInRestart != 2 || srv.Stats().Restarts != 1 {
		t.Errorf("events %v, stats %+v", evs, srv.Stats())
	}
}

// TestNoReply verifies a batch is taken although its answer never comes.
func TestNoReply(t *testing.T) {
	srv := hecfake.New([]string{token})
	defer srv.Close()
	srv.FailNext(1, hecfake.NoReply)
	if id := post(t, srv, "a"); id != -1 {
		t.Fatalf("answered with ackId %d", id)
	}
	if id := post(t, srv, "b"); id != 1 {
		t.Errorf("next ackId %d, want 1", id)
	}
	if got := acked(t, srv, 0, 1); !got["0"] || !got["1"] || len(srv.Events()) != 2 {
		t.Errorf("acks %v, %d events", got, len(srv.Events()))
	}
}
