package cwfake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/cloudwatch/cwfake"
)

// post sends a raw AWS JSON 1.1 request, as the SDK would.
func post(t *testing.T, url, target, auth, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Errorf("Content-Type = %q", ct)
	}
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

const auth = "AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0"

// TestFake_WireErrors verifies the fake refuses what the real service
// refuses, with the real error shapes.
func TestFake_WireErrors(t *testing.T) {
	s := cwfake.New()
	defer s.Close()
	s.Put(cwfake.Event{Group: "g", Stream: "a", Timestamp: 1, Message: "m"})
	for _, tc := range []struct {
		target, auth, body string
		status             int
		typ                string
	}{
		{"Logs_20140328.FilterLogEvents", "", `{"logGroupName":"g"}`, 403, "MissingAuthenticationTokenException"},
		{"Logs_20140328.GetLogEvents", auth, `{}`, 400, "UnknownOperationException"},
		{"Logs_20140328.FilterLogEvents", auth, `{"logGroupName":"nope"}`, 400, "com.amazonaws.logs#ResourceNotFoundException"},
		{"Logs_20140328.FilterLogEvents", auth, `{"logGroupName":"g","logStreamNamePrefix":"a","logStreamNames":["a"]}`, 400, "InvalidParameterException"},
		{"Logs_20140328.FilterLogEvents", auth, `{"logGroupName":"g","limit":0}`, 400, "InvalidParameterException"},
		{"Logs_20140328.FilterLogEvents", auth, `{"logGroupName":"g","nextToken":"forged"}`, 400, "InvalidParameterException"},
	} {
		status, m := post(t, s.URL, tc.target, tc.auth, tc.body)
		if status != tc.status || m["__type"] != tc.typ {
			t.Errorf("%s %s: %d %v, want %d %s", tc.target, tc.body, status, m, tc.status, tc.typ)
		}
	}
}

// TestFake_TokenBoundToQuery verifies a nextToken only continues the query
// it came from, and that late events stay invisible until ingested.
func TestFake_TokenBoundToQuery(t *testing.T) {
	s := cwfake.New(cwfake.WithFaults(cwfake.Faults{PageSize: 1}))
	defer s.Close()
	s.Put(cwfake.Event{Group: "g", Stream: "a", Timestamp: 1, Message: "m1"}, cwfake.Event{Group: "g", Stream: "b", Timestamp: 2, Message: "m2"})
	_, m := post(t, s.URL, "Logs_20140328.FilterLogEvents", auth, `{"logGroupName":"g","startTime":0,"endTime":10}`)
	tok, _ := m["nextToken"].(string)
	if tok == "" || len(m["events"].([]any)) != 1 {
		t.Fatalf("first page = %v", m)
	}
	status, m2 := post(t, s.URL, "Logs_20140328.FilterLogEvents", auth, `{"logGroupName":"g","startTime":0,"endTime":11,"nextToken":"`+tok+`"}`)
	if status != 400 || m2["__type"] != "InvalidParameterException" {
		t.Errorf("token reused for another query: %d %v", status, m2)
	}
	_, m3 := post(t, s.URL, "Logs_20140328.FilterLogEvents", auth, `{"logGroupName":"g","startTime":0,"endTime":10,"nextToken":"`+tok+`"}`)
	evs := m3["events"].([]any)
	if len(evs) != 1 || evs[0].(map[string]any)["message"] != "m2" || m3["nextToken"] != nil {
		t.Errorf("second page = %v", m3)
	}
	if id := evs[0].(map[string]any)["eventId"].(string); len(id) != 56 {
		t.Errorf("eventId %q is not 56 digits", id)
	}
}
