package splunklog_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kubelens/kubelens/src/splunklog"
	"github.com/sirupsen/logrus"
)

// TestFormatter_LevelWordsAndFields verifies that every logrus level maps to a
// word splunkd understands and that fields come sorted and quoted when needed.
func TestFormatter_LevelWordsAndFields(t *testing.T) {
	var buf bytes.Buffer
	log := splunklog.New(&buf, logrus.TraceLevel)
	log.WithField("stanza", "eks_logs://prod").WithField("events", 42).Info("window done")
	log.WithError(errors.New("cloudwatch: throttled\nretrying")).Warn("page failed")
	log.Trace("t")
	log.Debug("d")
	log.Error("e")
	log.WithField("empty", "").Error("x")
	want := "INFO window done events=42 stanza=eks_logs://prod\n" +
		"WARN page failed error=\"cloudwatch: throttled\\nretrying\"\n" +
		"DEBUG t\nDEBUG d\nERROR e\nERROR x empty=\"\"\n"
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestFormatter_MessageStaysOneLine verifies that a message with newlines is
// escaped, so splunkd never files a continuation line as a separate ERROR.
func TestFormatter_MessageStaysOneLine(t *testing.T) {
	var buf bytes.Buffer
	splunklog.New(&buf, logrus.InfoLevel).Info("a\nb\r\nc")
	if got, want := buf.String(), "INFO a\\nb\\r\\nc\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]logrus.Level{"debug": logrus.DebugLevel, "WARNING": logrus.WarnLevel, "Error": logrus.ErrorLevel, "": logrus.InfoLevel, "FATAL": logrus.FatalLevel} {
		got, err := splunklog.ParseLevel(in)
		if err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := splunklog.ParseLevel("loud"); err == nil {
		t.Error("ParseLevel(loud) succeeded, want an error")
	}
}
