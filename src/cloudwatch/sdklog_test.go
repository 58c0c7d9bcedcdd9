package cloudwatch_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/kubelens/kubelens/src/cloudwatch"
	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
)

// TestClient_CancelledCallLogsNoWarning verifies that a call cancelled
// while its answer is being read (SIGTERM in the middle of a page) leaves no
// WARN from the SDK: its "failed to discard remaining HTTP response body"
// goes to DEBUG, where a shutdown belongs.
func TestClient_CancelledCallLogsNoWarning(t *testing.T) {
	isolateAWS(t)
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"events":[{"eventId":"1","ingestionTime":1,"logStreamName":"s","message":"`+strings.Repeat("x", 4096))
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done() // the rest of the page never comes
	}))
	defer srv.Close()
	log, hook := logtest.NewNullLogger()
	log.SetLevel(logrus.DebugLevel)
	c, err := cloudwatch.NewClient(t.Context(), cloudwatch.ClientConfig{Region: "us-east-1", Endpoint: srv.URL,
		AccessKeyID: "AKIDTEST", SecretAccessKey: "SECRETTEST", CallsPerSecond: 1000, MaxAttempts: 1, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-started
		time.AfterFunc(20*time.Millisecond, cancel)
	}()
	if _, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)}); err == nil {
		t.Fatal("the cancelled call succeeded")
	}
	debug := 0
	for _, e := range hook.AllEntries() {
		if e.Level <= logrus.WarnLevel {
			t.Errorf("%s from a cancelled call: %s", e.Level, e.Message)
		}
		if e.Level == logrus.DebugLevel && e.Data["component"] == "aws-sdk" {
			debug++
		}
	}
	if debug == 0 {
		t.Error("the SDK's line about the body is gone altogether; want it at DEBUG")
	}
}
