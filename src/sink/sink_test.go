package sink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/sink"
)

func TestFormatTime(t *testing.T) {
	for ms, want := range map[int64]string{1700000000123: "1700000000.123", 5: "0.005", 1000: "1.000", -1500: "-1.500", 0: "0.000"} {
		if got := sink.FormatTime(ms); got != want {
			t.Errorf("FormatTime(%d) = %q, want %q", ms, got, want)
		}
	}
}

// TestAppendHEC verifies the HEC event object: the message comes back
// verbatim, index only when set, time with milliseconds.
func TestAppendHEC(t *testing.T) {
	msg := `{"kind":"Event","note":"<a & b>\n","u":"é"}` + "\t\"q\""
	b := sink.AppendHEC(nil, sink.Event{TimeMillis: 1700000000007, Host: "h", Source: "us-east-1:/g:s", SourceType: "st", Data: msg})
	var got map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if got["event"] != msg || got["host"] != "h" || got["source"] != "us-east-1:/g:s" || got["sourcetype"] != "st" || got["time"].(json.Number) != "1700000000.007" {
		t.Errorf("decoded %v", got)
	}
	if _, ok := got["index"]; ok {
		t.Error("index written although unset")
	}
	if !strings.Contains(string(b), "<a & b>") {
		t.Errorf("HTML-escaped: %s", b)
	}
	b = sink.AppendHEC(nil, sink.Event{Index: "eks", Data: "x"})
	if !strings.Contains(string(b), `"index":"eks"`) {
		t.Errorf("no index: %s", b)
	}
}

func TestStdout(t *testing.T) {
	var out bytes.Buffer
	s := sink.NewStdout("sinks[0] (stdout)", &out)
	if _, err := s.Send(t.Context(), []sink.Event{{Data: "a"}, {Data: "b"}}); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 2 || !strings.Contains(lines[1], `"event":"b"`) {
		t.Errorf("output %q", out.String())
	}
}

// TestBackoff verifies each wait lies in the upper half of the current
// one, which doubles from 50 ms up to Max and stays there.
func TestBackoff(t *testing.T) {
	b := sink.Backoff{Max: 300 * time.Millisecond}
	for i, cur := range []time.Duration{50, 100, 200, 300, 300} {
		cur *= time.Millisecond
		if d := b.Next(); d < cur/2 || d > cur {
			t.Errorf("wait %d: %v, want %v to %v", i, d, cur/2, cur)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := sink.Sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("Sleep on a cancelled context: %v", err)
	}
	if err := sink.Sleep(t.Context(), time.Millisecond); err != nil {
		t.Errorf("Sleep: %v", err)
	}
}
